/**
 * The model's linear projections: attention's query, key, value and output, and the MLP's in,
 * gate and out. Every one of them is computed here, so a change to how a projection computes (an
 * adapter beside its weight, say) is made in this module only: `project` is the projection, and
 * `fusable` says when the fused native ops that compute several projections at once (ops.ts's
 * queryKeyValue and geluMlp) may stand in for it.
 */
import type * as tf from "@tensorflow/tfjs";
import { type AdapterForward, type LoraAdapter, withLora } from "./lora.ts";
import { linear, matmul, queryKeyValue } from "./ops.ts";

/** y = x·weight + bias, weight [inputs, outputs]; no bias in models built with `bias: false`. */
export interface Linear {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1> | undefined;
  /** A LoRA adapter beside the weight (lora.ts). */
  lora?: LoraAdapter;
}

/** A projection with its bias, which the fused ops need. */
export type BiasedLinear = Linear & { bias: tf.Variable<tf.Rank.R1> };

/**
 * x [rows, inputs] through the projection: [rows, outputs]. `forward` says whether this pass
 * trains, for an adapter's dropout.
 */
export function project(x: tf.Tensor2D, layer: Linear, forward: AdapterForward = {}): tf.Tensor2D {
  const output =
    layer.bias === undefined ? matmul(x, layer.weight) : linear(x, layer.weight, layer.bias);
  return withLora(output, x, layer.lora, forward);
}

/** Whether the fused ops compute exactly what `project` would for these projections. */
export function fusable(layers: Linear[]): layers is BiasedLinear[] {
  return layers.every((layer) => layer.bias !== undefined && layer.lora === undefined);
}

/** Several projections of the same input, e.g. attention's query, key and value. */
export function projectEach(
  x: tf.Tensor2D,
  layers: Linear[],
  forward: AdapterForward = {},
): tf.Tensor2D[] {
  if (layers.length === 3 && fusable(layers)) {
    const [q, k, v] = layers as [BiasedLinear, BiasedLinear, BiasedLinear];
    return queryKeyValue(x, [q.weight, k.weight, v.weight], [q.bias, k.bias, v.bias]);
  }
  return layers.map((layer) => project(x, layer, forward));
}
