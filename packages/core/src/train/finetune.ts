/**
 * Which parameters a fine-tuning trial trains. full: all of them. lora: low-rank adapters on a
 * frozen base (model/lora.ts). freeze: the last N blocks and the head, the rest frozen.
 *
 * Each returns a GPT whose `parameters` are the trained ones only: the trainer takes gradients of
 * those, the optimizer keeps moments for those, and checkpoints save those. Frozen variables are
 * marked untrainable, so the ops skip their weight gradients (model/frozen-ops.ts).
 */
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { freezeVariables, type WeightTree, weightVariables } from "../model/frozen-weights.ts";
import type { GPT, GPTWeights } from "../model/gpt.ts";
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
  const trainedVariables = freezeModeTrained(model, trainableBlocks);
  freezeVariables(model.weights as unknown as WeightTree);
  const parameters = new Map(
    [...model.parameters].filter(([, variable]) => trainedVariables.has(variable)),
  );
  for (const variable of parameters.values()) variable.trainable = true;
  return { ...model, parameters };
}

/** The base's variables that freeze mode trains (see freezeAllBut). */
function freezeModeTrained(model: GPT, trainableBlocks: number): Set<tf.Variable> {
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
  return new Set(weightVariables(trained).map(([, v]) => v));
}

/**
 * `base` with copies of its own of the weights `finetune` trains (none for LoRA, whose adapters are
 * new; the last blocks and head for freeze), every other weight shared: what a trial fine-tunes
 * when other trials share the base, whose weights it must then not change. (Full fine-tuning
 * trains every weight: it needs a base of its own.)
 */
export function withOwnTrainedWeights(
  base: GPT,
  finetune: Exclude<Finetune, { mode: "full" }>,
): GPT {
  if (finetune.mode === "lora") return base;
  const trained = freezeModeTrained(base, finetune.trainableBlocks);
  // tidy releases each clone; the variable keeps its data.
  const copies = new Map(
    [...trained].map((variable) => [variable, tf.tidy(() => tf.variable(variable.clone(), true))]),
  );
  const own = (variable: tf.Variable) => copies.get(variable) ?? variable;
  return {
    config: base.config,
    weights: mapVariables(base.weights as unknown as WeightTree, own) as unknown as GPTWeights,
    parameters: new Map([...base.parameters].map(([name, variable]) => [name, own(variable)])),
  };
}

/** The tree with every base variable replaced by `map`'s (adapters, under `lora`, as they are). */
function mapVariables(tree: WeightTree, map: (variable: tf.Variable) => tf.Variable): WeightTree {
  const mapped = (key: string, value: WeightTree[string]): WeightTree[string] => {
    if (value === undefined || key === "lora") return value;
    if (value instanceof tf.Variable) return map(value);
    if (Array.isArray(value)) return value.map((item) => mapVariables(item, map));
    return mapVariables(value, map);
  };
  return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, mapped(key, value)]));
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

/**
 * Disposes every variable of the model, its base's and its trained ones, but those of `shared`: a
 * base that other trials use (see trial/shared-base.ts).
 */
export function disposeWithBase(model: GPT, shared?: GPT) {
  const kept = new Set(
    shared && weightVariables(shared.weights as unknown as WeightTree).map(([, v]) => v),
  );
  const base = weightVariables(model.weights as unknown as WeightTree).map(([, v]) => v);
  for (const variable of new Set([...base, ...model.parameters.values()])) {
    if (!kept.has(variable)) variable.dispose();
  }
}
