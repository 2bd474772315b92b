/**
 * The straightforward formulation of the same GPT, written the way one would with tf ops and
 * autodiff: batched 4-D attention products, transposed matmuls in the backward pass, a one-hot
 * embedding product (gather's gradient is not registered on wasm) and tf.losses. It is the
 * baseline of the speed benchmark and the independent reference the fast model is tested against.
 * It covers language models with learned positions (the benchmark's configuration).
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenBatch } from "../data/batches.ts";
import { type GPTConfig, headDim, layerNormEpsilon } from "./config.ts";
import type { BlockWeights, GPT, Linear, Norm } from "./gpt.ts";

export function referenceLanguageModelLoss(model: GPT, batch: TokenBatch): tf.Scalar {
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
  const positions = tf.slice(weights.positionEmbedding, [0, 0], [length, config.dModel]);
  let x = tf.reshape(
    tf.add(tf.reshape(tokens, [batch.batchSize, length, config.dModel]), positions),
    [-1, config.dModel],
  );
  for (const block of weights.blocks) {
    if (config.norm === "pre") {
      x = tf.add(x, attention(layerNorm(x, block.attentionNorm, config), block, model, length));
      x = tf.add(x, mlp(layerNorm(x, block.mlpNorm, config), block, model));
    } else {
      x = layerNorm(tf.add(x, attention(x, block, model, length)), block.attentionNorm, config);
      x = layerNorm(tf.add(x, mlp(x, block, model)), block.mlpNorm, config);
    }
  }
  if (weights.finalNorm !== undefined) x = layerNorm(x, weights.finalNorm, config);
  const logits = weights.outputHead
    ? tf.matMul(x, weights.outputHead)
    : tf.matMul(x, weights.tokenEmbedding, false, true);
  return tf.losses.softmaxCrossEntropy(
    oneHot(batch.targets, config.vocabSize),
    logits,
  ) as tf.Scalar;
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
function attention(x: tf.Tensor, block: BlockWeights, model: GPT, length: number): tf.Tensor {
  const { heads, kvHeads, dModel } = model.config;
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
  const causal = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
  const scores = tf.add(
    tf.div(tf.matMul(query, key, false, true), Math.sqrt(size)),
    tf.mul(tf.sub(1, causal), -1e9),
  );
  const out = tf.matMul(tf.softmax(scores), value);
  const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [batch * length, dModel]);
  return dense(merged, block.attentionOutput);
}
