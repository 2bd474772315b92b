/**
 * The straightforward formulation of the same GPT, written the way one would with tf ops and
 * autodiff: batched 4-D attention products, transposed matmuls in the backward pass, a one-hot
 * embedding product (gather's gradient is not registered on wasm) and tf.losses. It is the
 * baseline of the speed benchmark and the independent reference the fast model is tested against.
 * It covers language models with learned positions (the benchmark's configuration), and instruction
 * batches: packed examples (segments) and a loss on the trained-on targets only.
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenBatch } from "../data/batches.ts";
import type { InstructionBatch } from "../data/instruction-batches.ts";
import { type GPTConfig, headDim, layerNormEpsilon } from "./config.ts";
import type { BlockWeights, GPT, Linear, Norm } from "./gpt.ts";

export function referenceLanguageModelLoss(
  model: GPT,
  batch: TokenBatch & Partial<Pick<InstructionBatch, "lossMask" | "segments">>,
): tf.Scalar {
  const { config, weights } = model;
  if (config.positions !== "learned" || weights.positionEmbedding === undefined) {
    throw new Error("the reference formulation covers learned positions only");
  }
  if (config.numClasses !== undefined)
    throw new Error("the reference formulation has no classifier");
  const length = batch.inputs.length / batch.batchSize;
  const oneHot = (ids: Int32Array, depth: number) =>
    tf.cast(tf.oneHot(tf.tensor1d(ids, "int32"), depth), "float32");

  // Activations are [batch·length, dModel]: tfjs's gradient of a 3-D by 2-D matMul is broken.
  const tokens = tf.matMul(oneHot(batch.inputs, config.vocabSize), weights.tokenEmbedding);
  const positions = tf.matMul(
    oneHot(positionsFrom(batch.segments, length, batch.inputs.length), config.seqLen),
    weights.positionEmbedding,
  );
  let x = tf.add(tokens, positions);
  const allowed = attentionAllowed(batch.segments, batch.batchSize, length);
  for (const block of weights.blocks) {
    if (config.norm === "pre") {
      x = tf.add(x, attention(layerNorm(x, block.attentionNorm, config), block, model, allowed));
      x = tf.add(x, mlp(layerNorm(x, block.mlpNorm, config), block, model));
    } else {
      x = layerNorm(tf.add(x, attention(x, block, model, allowed)), block.attentionNorm, config);
      x = layerNorm(tf.add(x, mlp(x, block, model)), block.mlpNorm, config);
    }
  }
  if (weights.finalNorm !== undefined) x = layerNorm(x, weights.finalNorm, config);
  const logits = weights.outputHead
    ? tf.matMul(x, weights.outputHead)
    : tf.matMul(x, weights.tokenEmbedding, false, true);
  if (batch.lossMask !== undefined) {
    return referenceMaskedCrossEntropy(logits, batch.targets, batch.lossMask);
  }
  return tf.losses.softmaxCrossEntropy(
    oneHot(batch.targets, config.vocabSize),
    logits,
  ) as tf.Scalar;
}

/** Σ mask·(-log p(target)) / Σ mask, by autodiff: the masked loss as its definition reads. */
export function referenceMaskedCrossEntropy(
  logits: tf.Tensor,
  targets: Int32Array,
  mask: Float32Array,
): tf.Scalar {
  const classes = logits.shape[1] as number;
  const targetOneHot = tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), classes), "float32");
  const losses = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), targetOneHot), -1));
  const weights = tf.tensor1d(mask);
  return tf.div(tf.sum(tf.mul(losses, weights)), tf.sum(weights)) as tf.Scalar;
}

/** Positions 0..length-1 in each row, or counted from the start of each token's segment. */
function positionsFrom(segments: Int32Array | undefined, length: number, count: number) {
  return Int32Array.from({ length: count }, (_, i) => {
    if (segments === undefined) return i % length;
    let start = i;
    while (start % length !== 0 && segments[start - 1] === segments[i]) start--;
    return i - start;
  });
}

/** [batch, 1, length, length]: 1 where a query may see a key (causal, and the same segment). */
function attentionAllowed(
  segments: Int32Array | undefined,
  batch: number,
  length: number,
): tf.Tensor {
  const causal = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
  if (segments === undefined) return tf.reshape(causal, [1, 1, length, length]);
  const ids = tf.reshape(tf.tensor1d(segments, "int32"), [batch, 1, length]);
  const sameSegment = tf.cast(
    tf.equal(tf.reshape(ids, [batch, 1, length, 1]), tf.reshape(ids, [batch, 1, 1, length])),
    "float32",
  );
  return tf.mul(causal, sameSegment);
}

function dense(x: tf.Tensor, layer: Linear): tf.Tensor {
  return tf.add(tf.matMul(x, layer.weight), layer.bias);
}

function layerNorm(x: tf.Tensor, norm: Norm, config: GPTConfig): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(
    tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, layerNormEpsilon(config)))), norm.gain),
    norm.bias,
  );
}

function mlp(x: tf.Tensor, block: BlockWeights, model: GPT): tf.Tensor {
  const hidden = dense(x, block.mlpIn);
  const activated =
    model.config.activation === "relu"
      ? tf.relu(hidden)
      : tf.mul(
          tf.mul(hidden, 0.5),
          tf.add(
            1,
            tf.tanh(
              tf.mul(tf.add(hidden, tf.mul(tf.pow(hidden, 3), 0.044715)), Math.sqrt(2 / Math.PI)),
            ),
          ),
        );
  return dense(activated, block.mlpOut);
}

/** x [batch·length, dModel]; key/value heads repeated to match the query heads. */
function attention(x: tf.Tensor, block: BlockWeights, model: GPT, allowed: tf.Tensor): tf.Tensor {
  const { heads, kvHeads, dModel } = model.config;
  const length = allowed.shape[3] as number;
  const batch = (x.shape[0] as number) / length;
  const size = headDim(model.config);
  const split = (m: tf.Tensor, count: number) =>
    tf.transpose(tf.reshape(m, [batch, length, count, size]), [0, 2, 1, 3]);
  // Query head h uses key/value head floor(h / (heads / kvHeads)).
  const repeatHeads = (m: tf.Tensor) =>
    tf.reshape(
      tf.tile(tf.reshape(m, [batch * kvHeads, 1, length * size]), [1, heads / kvHeads, 1]),
      [batch, heads, length, size],
    );
  const query = split(dense(x, block.query), heads);
  const key = repeatHeads(split(dense(x, block.key), kvHeads));
  const value = repeatHeads(split(dense(x, block.value), kvHeads));
  const scores = tf.add(
    tf.div(tf.matMul(query, key, false, true), Math.sqrt(size)),
    tf.mul(tf.sub(1, allowed), -1e9),
  );
  const out = tf.matMul(tf.softmax(scores), value);
  const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [batch * length, dModel]);
  return dense(merged, block.attentionOutput);
}
