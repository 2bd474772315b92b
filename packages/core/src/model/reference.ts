/**
 * The straightforward formulation of the same GPT, written the way one would with tf ops and
 * autodiff: batched 4-D attention products, transposed matmuls in the backward pass, a one-hot
 * embedding product (gather's gradient is not registered on wasm) and tf.losses. It is the
 * baseline of the speed benchmark and the independent reference the fast model is tested against.
 * It covers language models with learned or rotary positions, LayerNorm or RMSNorm, GELU, ReLU or
 * SwiGLU MLPs, with or without biases, and instruction batches: packed examples (segments) and a
 * loss on the trained-on targets only.
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
  if (config.positions === "sinusoidal") {
    throw new Error("the reference formulation covers learned and rotary positions only");
  }
  if (config.numClasses !== undefined)
    throw new Error("the reference formulation has no classifier");
  const length = batch.inputs.length / batch.batchSize;
  const oneHot = (ids: Int32Array, depth: number) =>
    tf.cast(tf.oneHot(tf.tensor1d(ids, "int32"), depth), "float32");

  // Activations are [batch·length, dModel]: tfjs's gradient of a 3-D by 2-D matMul is broken.
  let x = tf.matMul(oneHot(batch.inputs, config.vocabSize), weights.tokenEmbedding);
  const positions = positionsFrom(batch.segments, length, batch.inputs.length);
  if (weights.positionEmbedding !== undefined) {
    x = tf.add(x, tf.matMul(oneHot(positions, config.seqLen), weights.positionEmbedding));
  }
  const sequences = {
    allowed: attentionAllowed(batch.segments, batch.batchSize, length),
    positions: tf.tensor1d(positions, "float32"),
  };
  for (const block of weights.blocks) {
    if (config.norm === "pre") {
      x = tf.add(x, attention(norm(x, block.attentionNorm, config), block, model, sequences));
      x = tf.add(x, mlp(norm(x, block.mlpNorm, config), block, model));
    } else {
      x = norm(tf.add(x, attention(x, block, model, sequences)), block.attentionNorm, config);
      x = norm(tf.add(x, mlp(x, block, model)), block.mlpNorm, config);
    }
  }
  if (weights.finalNorm !== undefined) x = norm(x, weights.finalNorm, config);
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
  const product = tf.matMul(x, layer.weight);
  return layer.bias === undefined ? product : tf.add(product, layer.bias);
}

/** LayerNorm, or RMSNorm for a norm without a bias: x / √(mean(x²) + ε) · gain. */
function norm(x: tf.Tensor, norm: Norm, config: GPTConfig): tf.Tensor {
  const epsilon = layerNormEpsilon(config);
  if (norm.bias === undefined) {
    return tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), epsilon))), norm.gain);
  }
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(
    tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), norm.gain),
    norm.bias,
  );
}

function mlp(x: tf.Tensor, block: BlockWeights, model: GPT): tf.Tensor {
  const hidden = dense(x, block.mlpIn);
  if (model.config.activation === "swiglu") {
    // silu(g) = g / (1 + e^-g)
    const gate = dense(x, block.mlpGate as Linear);
    return dense(tf.mul(tf.div(gate, tf.add(1, tf.exp(tf.neg(gate)))), hidden), block.mlpOut);
  }
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

/**
 * Rotary positions as a rotation of each pair (x_i, x_{i+size/2}) of a head [batch, n, length,
 * size] by the angle position · θ^(-2i/size), written out pair by pair.
 */
function rotatePairs(m: tf.Tensor, positions: tf.Tensor1D, theta: number): tf.Tensor {
  const [batch, , length, size] = m.shape as number[];
  const half = (size as number) / 2;
  const frequencies = tf.tensor1d(
    Array.from({ length: half }, (_, i) => theta ** ((-2 * i) / (size as number))),
  );
  const angles = tf.reshape(tf.outerProduct(positions, frequencies), [
    batch as number,
    1,
    length as number,
    half,
  ]);
  const [cos, sin] = [tf.cos(angles), tf.sin(angles)];
  const [first, second] = tf.split(m, 2, -1) as [tf.Tensor, tf.Tensor];
  return tf.concat(
    [
      tf.sub(tf.mul(first, cos), tf.mul(second, sin)),
      tf.add(tf.mul(second, cos), tf.mul(first, sin)),
    ],
    -1,
  );
}

/** x [batch·length, dModel]; key/value heads repeated to match the query heads. */
function attention(
  x: tf.Tensor,
  block: BlockWeights,
  model: GPT,
  { allowed, positions }: { allowed: tf.Tensor; positions: tf.Tensor1D },
): tf.Tensor {
  const { heads, kvHeads, dModel, positions: scheme, ropeTheta } = model.config;
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
  const rotary = (m: tf.Tensor) => (scheme === "rotary" ? rotatePairs(m, positions, ropeTheta) : m);
  const query = rotary(split(dense(x, block.query), heads));
  const key = repeatHeads(rotary(split(dense(x, block.key), kvHeads)));
  const value = repeatHeads(split(dense(x, block.value), kvHeads));
  const scores = tf.add(
    tf.div(tf.matMul(query, key, false, true), Math.sqrt(size)),
    tf.mul(tf.sub(1, allowed), -1e9),
  );
  const out = tf.matMul(tf.softmax(scores), value);
  const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [batch * length, dModel]);
  return dense(merged, block.attentionOutput);
}
