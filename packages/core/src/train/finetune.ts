/**
 * Which parameters a fine-tuning trial trains. full: all of them. lora: low-rank adapters on a
 * frozen base (model/lora.ts). freeze: the last N blocks and the head, the rest frozen.
 *
 * Each returns a GPT whose `parameters` are the trained ones only: the trainer takes gradients of
 * those, the optimizer keeps moments for those, and checkpoints save those. Frozen variables are
 * marked untrainable, so the ops skip their weight gradients (model/frozen-ops.ts).
 */
import type * as tf from "@tensorflow/tfjs";
import { freezeVariables, type WeightTree, weightVariables } from "../model/frozen-weights.ts";
import type { GPT } from "../model/gpt.ts";
import { addLora, type LoraConfig } from "../model/lora.ts";

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
