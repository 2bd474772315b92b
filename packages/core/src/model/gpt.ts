/**
 * A decoder-only transformer (GPT) in TensorFlow.js ops: token embedding, a positional scheme,
 * N blocks of causal self-attention and an MLP, a norm before (pre) or after (post) each
 * sub-layer, and an output head tied to the embedding, or a classification head over the
 * mean-pooled hidden states. The blocks' parts have a module each: attention.ts, mlp.ts, norm.ts,
 * rotary.ts, with every projection in linear.ts; the weights are made in weights.ts.
 *
 * Activations are kept as 2-D [batch·time, dModel] matrices so every projection is one plain
 * matmul, the fast path of the wasm backend (see ops.ts).
 */
import * as tf from "@tensorflow/tfjs";
import type { ClassificationBatch, TokenBatch } from "../data/batches.ts";
import type { InstructionBatch } from "../data/instruction-batches.ts";
import { attention, type Shape } from "./attention.ts";
import type { GPTConfig } from "./config.ts";
import { embed, positionIds } from "./embedding.ts";
import { type Head, headCrossEntropy, maskedHeadCrossEntropy } from "./head-loss.ts";
import { project } from "./linear.ts";
import { mlp } from "./mlp.ts";
import { addNormalize, type Norm, normalize } from "./norm.ts";
import { matmul, softmaxCrossEntropy } from "./ops.ts";
import type { BlockWeights, GPT } from "./weights.ts";

export type { BlockWeights, GPT, GPTWeights, Linear, Norm } from "./weights.ts";
export { createGPT, disposeGPT, gptWithValues } from "./weights.ts";

export interface ForwardOptions {
  /** Dropout is applied only when training. */
  training?: boolean;
  /** Seeds this call's dropout masks; the trainer draws one per step from its own Random. */
  dropoutSeed?: number;
  /**
   * For rows that pack several examples: the example of each token, [batch·length]. A token attends
   * only to the tokens before it in its own example, and positions restart at each example.
   */
  segments?: Int32Array;
}

/** Final hidden states [batch·length, dModel] for token ids laid out row after row. */
export function hiddenStates(
  model: GPT,
  tokens: Int32Array,
  batch: number,
  options: ForwardOptions = {},
): tf.Tensor2D {
  const { config, weights } = model;
  const length = tokens.length / batch;
  if (!Number.isInteger(length) || length < 1 || length > config.seqLen) {
    throw new Error(
      `${tokens.length} tokens do not make ${batch} rows of 1 to seqLen ${config.seqLen} tokens`,
    );
  }
  const { segments } = options;
  if (segments !== undefined && segments.length !== tokens.length) {
    throw new Error(`${segments.length} segment ids for ${tokens.length} tokens`);
  }
  const shape = {
    batch,
    length,
    positions: positionIds(length, tokens.length, segments),
    segments,
    forward: options,
  };
  const dropout = dropoutFunction(config.dropout, options);
  const x = dropout(embed(model, tokens, shape));
  if (config.norm === "pre") return preNormLayers(x, model, shape, dropout);
  return weights.blocks.reduce(
    (hidden, block) => postNormBlock(hidden, block, config, shape, dropout),
    x,
  );
}

/** Next-token logits [batch·length, vocabSize]. */
export function languageModelLogits(
  model: GPT,
  tokens: Int32Array,
  batch: number,
  options: ForwardOptions = {},
): tf.Tensor2D {
  const head = outputHead(model);
  return matmul(hiddenStates(model, tokens, batch, options), head.weight, head.transposed);
}

/** The language-model head's weight; tied, the token embedding [vocab, dModel], used transposed. */
function outputHead(model: GPT): Head {
  const { weights } = model;
  if (weights.classifier !== undefined) {
    throw new Error(
      "this model is a classifier (numClasses is set): it has no language-model head",
    );
  }
  if (weights.outputHead === undefined) return { weight: weights.tokenEmbedding, transposed: true };
  return { weight: weights.outputHead, transposed: false };
}

/** Class logits [batch, numClasses] from the hidden states averaged over each row's real tokens. */
export function classificationLogits(
  model: GPT,
  batch: Pick<ClassificationBatch, "inputs" | "mask" | "batchSize">,
  options: ForwardOptions = {},
): tf.Tensor2D {
  const { classifier } = model.weights;
  if (classifier === undefined) {
    throw new Error("this model has no classification head: set numClasses in its config");
  }
  const hidden = hiddenStates(model, batch.inputs, batch.batchSize, options);
  const pooling = tf.tensor2d(poolingMatrix(batch.mask, batch.batchSize), [
    batch.batchSize,
    batch.inputs.length,
  ]);
  return project(matmul(pooling, hidden), classifier);
}

/**
 * Mean next-token cross-entropy, in nats. The logits are never made whole: the head and the loss go
 * through the rows a chunk at a time (head-loss.ts).
 */
export function languageModelLoss(
  model: GPT,
  batch: TokenBatch,
  options: ForwardOptions = {},
): tf.Scalar {
  const head = outputHead(model);
  const hidden = hiddenStates(model, batch.inputs, batch.batchSize, options);
  return headCrossEntropy(hidden, head, batch.targets);
}

/** Mean next-token cross-entropy over the trained-on targets (lossMask 1) only, in nats. */
export function maskedLanguageModelLoss(
  model: GPT,
  batch: InstructionBatch,
  options: ForwardOptions = {},
): tf.Scalar {
  const head = outputHead(model);
  const forward = { ...options, segments: batch.segments };
  const hidden = hiddenStates(model, batch.inputs, batch.batchSize, forward);
  return maskedHeadCrossEntropy(hidden, head, batch.targets, batch.lossMask);
}

/** Mean cross-entropy of the class logits, and the fraction of rows classified correctly. */
export function classificationLoss(
  model: GPT,
  batch: ClassificationBatch,
  options: ForwardOptions = {},
): { loss: tf.Scalar; accuracy: tf.Scalar } {
  const logits = classificationLogits(model, batch, options);
  const labels = tf.tensor1d(batch.labels, "int32");
  const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels), "float32"));
  return { loss: softmaxCrossEntropy(logits, labels), accuracy: accuracy as tf.Scalar };
}

/** Row b averages the hidden states of row b's real tokens: mask / (its sum) on b's positions. */
function poolingMatrix(mask: Float32Array, batch: number): Float32Array {
  const length = mask.length / batch;
  const pooling = new Float32Array(batch * mask.length);
  for (let b = 0; b < batch; b++) {
    const row = mask.subarray(b * length, (b + 1) * length);
    const count = row.reduce((sum, m) => sum + m, 0);
    if (count === 0) throw new Error(`classification row ${b} has no real tokens in its mask`);
    for (let t = 0; t < length; t++) {
      pooling[b * mask.length + b * length + t] = (row[t] as number) / count;
    }
  }
  return pooling;
}

function dropoutFunction(rate: number, options: ForwardOptions): (x: tf.Tensor2D) => tf.Tensor2D {
  if (!options.training || rate === 0) return (x) => x;
  let seed = options.dropoutSeed ?? 0;
  // Each dropout site gets its own seed, so masks differ between sites but repeat between runs.
  return (x) => tf.dropout(x, rate, undefined, seed++) as tf.Tensor2D;
}

/**
 * Pre-norm blocks and the final norm: the residual stream x goes through x ← x + f(norm(x)) for
 * each sublayer f (each block's attention, then its MLP), and ends in the final norm. Each residual
 * add is one op with the norm that reads its sum next (addNormalize).
 */
function preNormLayers(
  x: tf.Tensor2D,
  model: GPT,
  shape: Shape,
  dropout: (x: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor2D {
  const { config, weights } = model;
  const sublayers = weights.blocks.flatMap((block) => [
    { norm: block.attentionNorm, apply: (h: tf.Tensor2D) => attention(h, block, config, shape) },
    { norm: block.mlpNorm, apply: (h: tf.Tensor2D) => mlp(h, block, config, shape.forward) },
  ]);
  const finalNorm = weights.finalNorm as Norm;
  let residual = x;
  let normalized = normalize(x, sublayers[0]?.norm ?? finalNorm, config);
  sublayers.forEach(({ apply }, i) => {
    const next = sublayers[i + 1]?.norm ?? finalNorm;
    [residual, normalized] = addNormalize(residual, dropout(apply(normalized)), next, config);
  });
  return normalized;
}

function postNormBlock(
  x: tf.Tensor2D,
  block: BlockWeights,
  config: GPTConfig,
  shape: Shape,
  dropout: (x: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor2D {
  const afterAttention = normalize(
    tf.add(x, dropout(attention(x, block, config, shape))),
    block.attentionNorm,
    config,
  );
  return normalize(
    tf.add(afterAttention, dropout(mlp(afterAttention, block, config, shape.forward))),
    block.mlpNorm,
    config,
  );
}
