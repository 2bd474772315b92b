/**
 * The model's linear projections: attention's query, key, value and output, and the MLP's in,
 * gate and out. Every one of them is computed here, so a change to how a projection computes (an
 * adapter beside its weight, say) is made in this module only: `project` is the projection, and
 * `fusable` says when the fused native ops that compute several projections at once (ops.ts's
 * queryKeyValue and geluMlp) may stand in for it.
 */
import type * as tf from "@tensorflow/tfjs";
import { linear, matmul, queryKeyValue } from "./ops.ts";

/** y = x·weight + bias, weight [inputs, outputs]; no bias in models built with `bias: false`. */
export interface Linear {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1> | undefined;
}

/** A projection with its bias, which the fused ops need. */
export type BiasedLinear = Linear & { bias: tf.Variable<tf.Rank.R1> };

/** x [rows, inputs] through the projection: [rows, outputs]. */
export function project(x: tf.Tensor2D, layer: Linear): tf.Tensor2D {
  if (layer.bias === undefined) return matmul(x, layer.weight);
  return linear(x, layer.weight, layer.bias);
}

/** Whether the fused ops compute exactly what `project` would for these projections. */
export function fusable(layers: Linear[]): layers is BiasedLinear[] {
  return layers.every((layer) => layer.bias !== undefined);
}

/** Several projections of the same input, e.g. attention's query, key and value. */
export function projectEach(x: tf.Tensor2D, layers: Linear[]): tf.Tensor2D[] {
  if (layers.length === 3 && fusable(layers)) {
    const [q, k, v] = layers as [BiasedLinear, BiasedLinear, BiasedLinear];
    return queryKeyValue(x, [q.weight, k.weight, v.weight], [q.bias, k.bias, v.bias]);
  }
  return layers.map((layer) => project(x, layer));
}
