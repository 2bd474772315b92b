/**
 * Which parameters a fine-tuning trial trains. full: all of them. lora: low-rank adapters on a
 * frozen base (model/lora.ts). freeze: the last N blocks and the head, the rest frozen.
 *
 * Each returns a GPT whose `parameters` are the trained ones only: the trainer takes gradients of
 * those, the optimizer keeps moments for those, and checkpoints save those. Frozen variables are
 * marked untrainable, so the ops skip their weight gradients (model/frozen-ops.ts).
 */
import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";
import { freezeVariables, type WeightTree, weightVariables } from "../model/frozen-weights.ts";
import type { GPT } from "../model/gpt.ts";
import { addLora } from "../model/lora.ts";
import type { LoraConfig } from "../model/lora-config.ts";

export type Finetune =
  | { mode: "full" }
  | { mode: "lora"; lora: LoraConfig }
  | {
      mode: "freeze";
      /** Blocks trained, counted from the last; 0 trains the head alone. */
      trainableBlocks: number;
    };

/** The model to train for `finetune`, sharing `model`'s tensors. */
export function finetuneModel(model: GPT, finetune: Finetune, seed: number): GPT {
  switch (finetune.mode) {
    case "full":
      return model;
    case "lora":
      return addLora(model, finetune.lora, seed);
    case "freeze":
      return freezeAllBut(model, finetune.trainableBlocks);
  }
}

/**
 * Trains the last `trainableBlocks` blocks, the final norm and the head: the classifier, or the
 * untied output head. A tied head is the token embedding, which stays frozen (training it would
 * update the input embedding of every token, the whole model's front).
 */
export function freezeAllBut(model: GPT, trainableBlocks: number): GPT {
  const { layers } = model.config;
  if (!(Number.isInteger(trainableBlocks) && trainableBlocks >= 0 && trainableBlocks <= layers)) {
    throw new Error(
      `freeze_trainable_blocks must be a whole number from 0 to the model's ${layers} layers, got ${trainableBlocks}`,
    );
  }
  const { weights } = model;
  const trained: WeightTree = {
    blocks: weights.blocks.slice(layers - trainableBlocks) as unknown as WeightTree[],
    finalNorm: weights.finalNorm as unknown as WeightTree,
    outputHead: weights.outputHead,
    classifier: weights.classifier as unknown as WeightTree,
  };
  const trainedVariables = new Set<tf.Variable>(weightVariables(trained).map(([, v]) => v));
  freezeVariables(weights as unknown as WeightTree);
  const parameters = new Map(
    [...model.parameters].filter(([, variable]) => trainedVariables.has(variable)),
  );
  for (const variable of parameters.values()) variable.trainable = true;
  return { ...model, parameters };
}

/**
 * The SHA-256 of the weights a fine-tuned model does not train (every weight of its base but the
 * trained ones), by name and float32 bytes: a checkpoint of the trained weights names its base so.
 */
export function frozenWeightsHash(model: GPT): string {
  const trained = new Set(model.parameters.values());
  const hash = createHash("sha256");
  for (const [name, variable] of weightVariables(model.weights as unknown as WeightTree)) {
    if (trained.has(variable)) continue;
    const values = variable.dataSync() as Float32Array;
    hash.update(`${name}[${variable.shape}]`);
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest("hex");
}

/** Disposes every variable of the model: its base's and its adapters. */
export function disposeWithBase(model: GPT) {
  const base = weightVariables(model.weights as unknown as WeightTree).map(([, v]) => v);
  for (const variable of new Set([...base, ...model.parameters.values()])) variable.dispose();
}
