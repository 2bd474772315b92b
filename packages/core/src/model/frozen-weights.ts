/**
 * A model's weights as a tree of named variables, and freezing them: a frozen variable is a
 * tf.Variable with `trainable` false. The ops (ops.ts) see that flag and give a frozen weight no
 * gradient, which saves its share of the backward pass (frozen-ops.ts).
 */
import * as tf from "@tensorflow/tfjs";

/** Nested records of variables, as GPTWeights; `lora` subtrees (adapters) are not the base's. */
export type WeightTree = { [key: string]: WeightTree | tf.Variable | WeightTree[] | undefined };

/** Every variable of the tree with its path ("blocks.0.query.weight"), in key order. */
export function weightVariables(tree: WeightTree, path = ""): [string, tf.Variable][] {
  return Object.entries(tree).flatMap(([key, value]): [string, tf.Variable][] => {
    if (value === undefined || key === "lora") return [];
    if (value instanceof tf.Variable) return [[`${path}${key}`, value]];
    if (Array.isArray(value)) {
      return value.flatMap((item, i) => weightVariables(item, `${path}${key}.${i}.`));
    }
    return weightVariables(value, `${path}${key}.`);
  });
}

export function freezeVariables(tree: WeightTree) {
  for (const [, variable] of weightVariables(tree)) variable.trainable = false;
}

export function isFrozen(tensor: tf.Tensor): boolean {
  return tensor instanceof tf.Variable && !tensor.trainable;
}
