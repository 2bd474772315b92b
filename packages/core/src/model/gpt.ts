/**
 * A decoder-only transformer (GPT) in TensorFlow.js ops: token embedding, a positional scheme,
 * N blocks of causal self-attention and an MLP, LayerNorm before (pre) or after (post) each
 * sub-layer, and an output head tied to the embedding, or a classification head over the
 * mean-pooled hidden states.
 *
 * Activations are kept as 2-D [batch·time, dModel] matrices so every projection is one plain
 * matmul, the fast path of the wasm backend (see ops.ts).
 */
import * as tf from "@tensorflow/tfjs";
import type { ClassificationBatch, TokenBatch } from "../data/batches.ts";
import type { InstructionBatch } from "../data/instruction-batches.ts";
import { Random } from "../random.ts";
import { type GPTConfig, headDim, layerNormEpsilon, mlpWidth, parseConfig } from "./config.ts";
import { type BlockAdapters, withLora } from "./lora.ts";
import {
  addLayerNorm,
  causalAttention,
  embeddingLookup,
  gelu,
  geluMlp,
  layerNorm,
  linear,
  maskedSoftmaxCrossEntropy,
  matmul,
  queryKeyValue,
  softmaxCrossEntropy,
} from "./ops.ts";

export interface Linear {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

export interface Norm {
  gain: tf.Variable<tf.Rank.R1>;
  bias: tf.Variable<tf.Rank.R1>;
}

export interface BlockWeights {
  attentionNorm: Norm;
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOutput: Linear;
  mlpNorm: Norm;
  mlpIn: Linear;
  mlpOut: Linear;
  /** LoRA adapters on some of the projections (lora.ts). */
  lora?: BlockAdapters;
}

export interface GPTWeights {
  tokenEmbedding: tf.Variable<tf.Rank.R2>;
  /** Only with learned positions. */
  positionEmbedding: tf.Variable<tf.Rank.R2> | undefined;
  blocks: BlockWeights[];
  /** Only with pre-norm: post-norm blocks already end in a LayerNorm. */
  finalNorm: Norm | undefined;
  /** [dModel, vocabSize]; only for a language model with untied embeddings. */
  outputHead: tf.Variable<tf.Rank.R2> | undefined;
  /** Only for a classifier. */
  classifier: Linear | undefined;
}

export interface GPT {
  config: GPTConfig;
  weights: GPTWeights;
  /** Every trainable variable by a stable name ("blocks.0.query.weight"), in creation order. */
  parameters: Map<string, tf.Variable>;
}

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

/** GPT-2's initialisation: N(0, 0.02), residual output projections scaled by 1/√(2·layers). */
const INIT_STD = 0.02;

export function createGPT(configInput: unknown, seed: number): GPT {
  const config = parseConfig(configInput);
  const random = new Random(seed);
  const parameters = new Map<string, tf.Variable>();
  const d = config.dModel;
  const kvWidth = config.kvHeads * headDim(config);
  const residualStd = INIT_STD / Math.sqrt(2 * config.layers);

  function variable<R extends tf.Rank>(name: string, shape: number[], values: Float32Array) {
    // tidy releases the initial tensor; the variable keeps its data.
    const created = tf.tidy(() =>
      tf.variable(tf.tensor(values, shape), true),
    ) as unknown as tf.Variable<R>;
    parameters.set(name, created);
    return created;
  }
  const normal = (name: string, shape: [number, number], std: number) =>
    variable<tf.Rank.R2>(name, shape, normalValues(random, shape[0] * shape[1], std));
  const filled = (name: string, size: number, value: number) =>
    variable<tf.Rank.R1>(name, [size], new Float32Array(size).fill(value));
  const linearWeights = (name: string, inputs: number, outputs: number, std = INIT_STD) => ({
    weight: normal(`${name}.weight`, [inputs, outputs], std),
    bias: filled(`${name}.bias`, outputs, 0),
  });
  const norm = (name: string) => ({
    gain: filled(`${name}.gain`, d, 1),
    bias: filled(`${name}.bias`, d, 0),
  });

  const tokenEmbedding = normal("tokenEmbedding", [config.vocabSize, d], INIT_STD);
  const positionEmbedding =
    config.positions === "learned"
      ? normal("positionEmbedding", [config.seqLen, d], INIT_STD)
      : undefined;
  const blocks = Array.from({ length: config.layers }, (_, i) => ({
    attentionNorm: norm(`blocks.${i}.attentionNorm`),
    query: linearWeights(`blocks.${i}.query`, d, d),
    key: linearWeights(`blocks.${i}.key`, d, kvWidth),
    value: linearWeights(`blocks.${i}.value`, d, kvWidth),
    attentionOutput: linearWeights(`blocks.${i}.attentionOutput`, d, d, residualStd),
    mlpNorm: norm(`blocks.${i}.mlpNorm`),
    mlpIn: linearWeights(`blocks.${i}.mlpIn`, d, mlpWidth(config)),
    mlpOut: linearWeights(`blocks.${i}.mlpOut`, mlpWidth(config), d, residualStd),
  }));
  const finalNorm = config.norm === "pre" ? norm("finalNorm") : undefined;
  const isClassifier = config.numClasses !== undefined;
  const outputHead =
    !isClassifier && !config.tieEmbeddings
      ? normal("outputHead", [d, config.vocabSize], INIT_STD)
      : undefined;
  const classifier =
    config.numClasses !== undefined ? linearWeights("classifier", d, config.numClasses) : undefined;

  const weights = { tokenEmbedding, positionEmbedding, blocks, finalNorm, outputHead, classifier };
  return { config, weights, parameters };
}

export function disposeGPT(model: GPT) {
  for (const parameter of model.parameters.values()) parameter.dispose();
}

function normalValues(random: Random, size: number, std: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = random.normal(0, std);
  return values;
}

/** Shape of one forward pass: `batch` rows of `length` tokens, flattened to batch·length rows. */
interface Shape {
  batch: number;
  length: number;
  /** Each token's position, [batch·length]. */
  positions: Int32Array;
  segments: Int32Array | undefined;
  forward: ForwardOptions;
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
  const { weights } = model;
  if (weights.classifier !== undefined) {
    throw new Error(
      "this model is a classifier (numClasses is set): it has no language-model head",
    );
  }
  const hidden = hiddenStates(model, tokens, batch, options);
  // Tied: the token embedding [vocab, dModel], used transposed.
  if (weights.outputHead === undefined) return matmul(hidden, weights.tokenEmbedding, true);
  return matmul(hidden, weights.outputHead);
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
  return linear(matmul(pooling, hidden), classifier.weight, classifier.bias);
}

/** Mean next-token cross-entropy, in nats. */
export function languageModelLoss(
  model: GPT,
  batch: TokenBatch,
  options: ForwardOptions = {},
): tf.Scalar {
  const logits = languageModelLogits(model, batch.inputs, batch.batchSize, options);
  return softmaxCrossEntropy(logits, tf.tensor1d(batch.targets, "int32"));
}

/** Mean next-token cross-entropy over the trained-on targets (lossMask 1) only, in nats. */
export function maskedLanguageModelLoss(
  model: GPT,
  batch: InstructionBatch,
  options: ForwardOptions = {},
): tf.Scalar {
  const forward = { ...options, segments: batch.segments };
  const logits = languageModelLogits(model, batch.inputs, batch.batchSize, forward);
  return maskedSoftmaxCrossEntropy(logits, batch.targets, batch.lossMask);
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

function normalize(x: tf.Tensor2D, norm: Norm, config: GPTConfig): tf.Tensor2D {
  return layerNorm(x, norm.gain, norm.bias, layerNormEpsilon(config));
}

function embed(model: GPT, tokens: Int32Array, shape: Shape): tf.Tensor2D {
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
      // Rotary positions rotate queries and keys inside attention instead.
      return tokenVectors;
  }
}

/**
 * The position of every row of the flattened [batch·length] layout: 0..length-1, repeated, or with
 * segments, counted from the start of each token's segment.
 */
function positionIds(length: number, count: number, segments: Int32Array | undefined): Int32Array {
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

/**
 * Pre-norm blocks and the final LayerNorm: the residual stream x goes through x ← x + f(LayerNorm(x))
 * for each sublayer f (each block's attention, then its MLP), and ends in the final LayerNorm. Each
 * residual add is one op with the LayerNorm that reads its sum next (addLayerNorm).
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
    { norm: block.mlpNorm, apply: (h: tf.Tensor2D) => mlp(h, block, config, shape) },
  ]);
  const finalNorm = weights.finalNorm as Norm;
  let residual = x;
  let normalized = normalize(x, sublayers[0]?.norm ?? finalNorm, config);
  sublayers.forEach(({ apply }, i) => {
    const next = sublayers[i + 1]?.norm ?? finalNorm;
    [residual, normalized] = addLayerNorm(
      residual,
      dropout(apply(normalized)),
      next.gain,
      next.bias,
      layerNormEpsilon(config),
    );
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
    tf.add(afterAttention, dropout(mlp(afterAttention, block, config, shape))),
    block.mlpNorm,
    config,
  );
}

function mlp(x: tf.Tensor2D, block: BlockWeights, config: GPTConfig, shape: Shape): tf.Tensor2D {
  const { mlpIn, mlpOut, lora } = block;
  if (lora?.mlpIn !== undefined || lora?.mlpOut !== undefined) {
    const activate = config.activation === "gelu" ? gelu : tf.relu;
    const hidden = activate(
      withLora(linear(x, mlpIn.weight, mlpIn.bias), x, lora.mlpIn, shape.forward),
    );
    return withLora(linear(hidden, mlpOut.weight, mlpOut.bias), hidden, lora.mlpOut, shape.forward);
  }
  if (config.activation === "gelu") {
    return geluMlp(x, mlpIn.weight, mlpIn.bias, mlpOut.weight, mlpOut.bias);
  }
  return linear(tf.relu(linear(x, mlpIn.weight, mlpIn.bias)), mlpOut.weight, mlpOut.bias);
}

/**
 * Causal self-attention with `heads` query heads sharing `kvHeads` key/value heads: query heads
 * h·g .. h·g + g - 1 (g = heads / kvHeads) use key/value head h.
 */
function attention(
  x: tf.Tensor2D,
  block: BlockWeights,
  config: GPTConfig,
  shape: Shape,
): tf.Tensor2D {
  const size = headDim(config);
  const { query: q, key: k, value: v } = block;
  let [query, key, value] = queryKeyValue(
    x,
    [q.weight, k.weight, v.weight],
    [q.bias, k.bias, v.bias],
  );
  const { lora, attentionOutput } = block;
  if (lora !== undefined) {
    query = withLora(query, x, lora.query, shape.forward);
    key = withLora(key, x, lora.key, shape.forward);
    value = withLora(value, x, lora.value, shape.forward);
  }
  if (config.positions === "rotary") {
    query = rotate(query, shape, size);
    key = rotate(key, shape, size);
  }
  const { heads, kvHeads } = config;
  const out = causalAttention(
    query,
    key,
    value,
    { heads, kvHeads, length: shape.length },
    shape.segments,
  );
  const projected = linear(out, attentionOutput.weight, attentionOutput.bias);
  return withLora(projected, out, lora?.attentionOutput, shape.forward);
}

/**
 * Rotary position embedding (Su et al., GPT-NeoX layout): each head's first and second halves
 * are rotated as pairs (x_i, x_{i+size/2}) by angle position · 10000^(-2i/size).
 */
function rotate(m: tf.Tensor2D, shape: Shape, size: number): tf.Tensor2D {
  const rows = shape.batch * shape.length;
  const heads = m.shape[1] / size;
  const half = size / 2;
  const cos = new Float32Array(rows * size);
  const sin = new Float32Array(rows * size);
  for (let row = 0; row < rows; row++) {
    const position = shape.positions[row] as number;
    for (let i = 0; i < size; i++) {
      const angle = position * 10000 ** (-(i % half) / half);
      cos[row * size + i] = Math.cos(angle);
      sin[row * size + i] = Math.sin(angle);
    }
  }
  const x = tf.reshape(m, [rows, heads, size]);
  const first = tf.slice(x, [0, 0, 0], [rows, heads, half]);
  const second = tf.slice(x, [0, 0, half], [rows, heads, half]);
  const rotatedHalves = tf.concat([tf.neg(second), first], 2);
  const rotated = tf.add(
    tf.mul(x, tf.tensor3d(cos, [rows, 1, size])),
    tf.mul(rotatedHalves, tf.tensor3d(sin, [rows, 1, size])),
  );
  return tf.reshape(rotated, [rows, heads * size]) as tf.Tensor2D;
}
