/**
 * What each native op computes, written plainly in tf ops whose gradients come from autodiff: the
 * reference that the self-test and the tests compare the native kernels with.
 */
import * as tf from "@tensorflow/tfjs";
import type { AdamStep, AttentionHeads } from "./ops.ts";

export const reference = {
  matmul: (a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false) =>
    tf.matMul(a, b, transposeA, transposeB),

  linear: (x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.add(tf.matMul(x, weight), bias),

  queryKeyValue: (x: tf.Tensor, weights: tf.Tensor[], biases: tf.Tensor[]) =>
    weights.map((weight, i) => reference.linear(x, weight, biases[i] as tf.Tensor)),

  // A one-hot product: gather's gradient is not registered on the wasm backend.
  embeddingLookup: (table: tf.Tensor2D, ids: tf.Tensor1D) =>
    tf.matMul(tf.oneHot(ids, table.shape[0]).toFloat(), table),

  layerNorm: (x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon = 1e-5) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gain), bias);
  },

  addLayerNorm: (a: tf.Tensor, b: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor) => {
    const sum = tf.add(a, b);
    return [sum, reference.layerNorm(sum, gain, bias)];
  },

  gelu: (x: tf.Tensor) => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  },

  geluMlp: (x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
    reference.linear(reference.gelu(reference.linear(x, w1, b1)), w2, b2),

  // Heads split out with transposes, each query head against its own copy of its key/value head.
  causalAttention: (
    query: tf.Tensor2D,
    key: tf.Tensor2D,
    value: tf.Tensor2D,
    { heads, kvHeads, length }: AttentionHeads,
  ) => {
    const [rows, width] = query.shape;
    const [batch, headDim] = [rows / length, width / heads];
    // [batch·length, n·headDim] -> [batch, n, length, headDim]; key/value heads repeated.
    const split = (m: tf.Tensor, n: number) =>
      tf.transpose(tf.reshape(m, [batch, length, n, headDim]), [0, 2, 1, 3]);
    const repeated = (m: tf.Tensor) =>
      tf.reshape(
        tf.tile(tf.reshape(split(m, kvHeads), [batch, kvHeads, 1, length * headDim]), [
          1,
          1,
          heads / kvHeads,
          1,
        ]),
        [batch, heads, length, headDim],
      );
    const mask = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
    const scores = tf.add(
      tf.div(tf.matMul(split(query, heads), repeated(key), false, true), Math.sqrt(headDim)),
      tf.mul(tf.sub(mask, 1), 1e9),
    );
    const out = tf.matMul(tf.softmax(scores), repeated(value));
    return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [rows, width]);
  },

  softmaxCrossEntropy: (logits: tf.Tensor2D, targets: tf.Tensor1D) =>
    tf.neg(
      tf.mean(
        tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(targets, logits.shape[1]).toFloat()), -1),
      ),
    ),

  adamUpdate: (
    parameter: tf.Tensor,
    gradient: tf.Tensor,
    m: tf.Tensor,
    v: tf.Tensor,
    step: AdamStep,
  ) => {
    const mOut = tf.add(tf.mul(m, step.beta1), tf.mul(gradient, 1 - step.beta1));
    const vOut = tf.add(tf.mul(v, step.beta2), tf.mul(tf.mul(gradient, gradient), 1 - step.beta2));
    const denominator = tf.add(tf.div(tf.sqrt(vOut), step.biasCorrection2Root), step.epsilon);
    const parameterOut = tf.sub(
      tf.mul(parameter, step.decay),
      tf.mul(tf.div(mOut, denominator), step.stepSize),
    );
    return [parameterOut, mOut, vOut];
  },

  // Element by element, without the Add kernel (which the native kernels replace).
  add: (a: tf.Tensor, b: tf.Tensor) => {
    const [x, y] = [a.dataSync(), b.dataSync()];
    return tf.tensor(
      x.map((value, i) => value + (y[i] as number)),
      a.shape,
    );
  },

  // Element by element, without the Transpose kernel (which the native kernels replace).
  transpose: (x: tf.Tensor, perm: number[]) => {
    const source = x.bufferSync();
    const out = tf.buffer(
      perm.map((axis) => x.shape[axis] as number),
      x.dtype,
    );
    for (let i = 0; i < out.size; i++) {
      const index = out.indexToLoc(i);
      const sourceIndex = new Array<number>(perm.length);
      perm.forEach((axis, k) => {
        sourceIndex[axis] = index[k] as number;
      });
      out.values[i] = source.get(...sourceIndex);
    }
    return out.toTensor();
  },

  globalNorm: (tensors: tf.Tensor[]) => tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.mul(t, t))))),
};
