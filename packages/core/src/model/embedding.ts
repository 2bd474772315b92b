/**
 * The input of the blocks: token embeddings, plus learned or sinusoidal position vectors; rotary
 * positions add nothing here (attention rotates queries and keys, rotary.ts).
 */
import * as tf from "@tensorflow/tfjs";
import type { Shape } from "./attention.ts";
import { embeddingLookup } from "./ops.ts";
import type { GPT } from "./weights.ts";

export function embed(model: GPT, tokens: Int32Array, shape: Shape): tf.Tensor2D {
  const { config, weights } = model;
  const ids = tf.tensor1d(tokens, "int32");
  const tokenVectors = embeddingLookup(weights.tokenEmbedding, ids);
  const positions = tf.tensor1d(shape.positions, "int32");
  switch (config.positions) {
    case "learned":
      return tf.add(
        tokenVectors,
        embeddingLookup(weights.positionEmbedding as tf.Variable<tf.Rank.R2>, positions),
      );
    case "sinusoidal": {
      const table = tf.tensor2d(sinusoidalTable(shape.length, config.dModel), [
        shape.length,
        config.dModel,
      ]);
      return tf.add(tokenVectors, tf.gather(table, positions));
    }
    case "rotary":
      return tokenVectors;
  }
}

/**
 * The position of every row of the flattened [batch·length] layout: 0..length-1, repeated, or with
 * segments, counted from the start of each token's segment.
 */
export function positionIds(
  length: number,
  count: number,
  segments: Int32Array | undefined,
): Int32Array {
  if (segments === undefined) return Int32Array.from({ length: count }, (_, i) => i % length);
  const positions = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const continues = i % length !== 0 && segments[i] === segments[i - 1];
    positions[i] = continues ? (positions[i - 1] as number) + 1 : 0;
  }
  return positions;
}

/** Vaswani et al.: sin at even features, cos at odd, wavelengths from 2π to 10000·2π. */
function sinusoidalTable(length: number, dModel: number): Float32Array {
  const table = new Float32Array(length * dModel);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = t / 10000 ** (i / dModel);
      table[t * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) table[t * dModel + i + 1] = Math.cos(angle);
    }
  }
  return table;
}
