/**
 * Causal self-attention with `heads` query heads sharing `kvHeads` key/value heads (grouped-query,
 * Ainslie et al. 2023): query heads h·g .. h·g + g - 1 (g = heads / kvHeads) use key/value head h.
 */
import type * as tf from "@tensorflow/tfjs";
import { type GPTConfig, headDim } from "./config.ts";
import { type Linear, project, projectEach } from "./linear.ts";
import type { AdapterForward } from "./lora.ts";
import { causalAttention } from "./ops.ts";
import { rotate } from "./rotary.ts";

/** The projections of one attention layer. */
export interface AttentionWeights {
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOutput: Linear;
}

/** Shape of one forward pass: `batch` rows of `length` tokens, flattened to batch·length rows. */
export interface Shape {
  batch: number;
  length: number;
  /** Each token's position, [batch·length]. */
  positions: Int32Array;
  /** Each token's example when rows pack several, [batch·length]. */
  segments: Int32Array | undefined;
  /** Whether this pass trains, for adapters' dropout. */
  forward: AdapterForward;
}

export function attention(
  x: tf.Tensor2D,
  weights: AttentionWeights,
  config: GPTConfig,
  shape: Shape,
): tf.Tensor2D {
  const { query: q, key: k, value: v } = weights;
  let [query, key, value] = projectEach(x, [q, k, v], shape.forward) as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
  if (config.positions === "rotary") {
    query = rotate(query, shape.positions, headDim(config), config.ropeTheta);
    key = rotate(key, shape.positions, headDim(config), config.ropeTheta);
  }
  const { heads, kvHeads } = config;
  const out = causalAttention(
    query,
    key,
    value,
    { heads, kvHeads, length: shape.length },
    shape.segments,
  );
  return project(out, weights.attentionOutput, shape.forward);
}
