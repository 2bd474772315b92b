/**
 * The transformer's building blocks as tf ops with hand-written gradients, shaped for the wasm
 * backend's fast paths (measured, see ../shared/STACK.md):
 *
 * - XNNPACK serves only 2-D matmuls with neither operand transposed (~30 GFLOP/s here); a
 *   transposed matmul falls to a loop 10 to 30 times slower. Autodiff of `matMul(x, w)` would ask
 *   for `dy·wᵀ` and `xᵀ·dy` as transposed matmuls, so the gradients below transpose explicitly
 *   (a cheap copy) and then multiply plainly.
 * - Reductions over the leading axis (`sum(dy, 0)` for bias and LayerNorm gradients) are slow;
 *   a row of ones times the matrix is a plain matmul that gives the same column sums.
 * - `gather`'s gradient (UnsortedSegmentSum) is not registered on wasm: the embedding gradient is
 *   a `scatterND`, which sums the rows of repeated tokens.
 * - Unary math kernels (tanh, exp, erf) are slow and same-shape binary ops fast: GELU is written as
 *   x·sigmoid(…), which equals its tanh form since 1 + tanh(u) = 2·sigmoid(2u).
 *
 * When the native kernels are enabled (@attune/native, the "native" backend), each op below runs
 * its fused native version instead; the model code is the same either way.
 */
import { type AttentionHeads, nativeOps } from "@attune/native";
import * as tf from "@tensorflow/tfjs";
import { frozenLinear, frozenMatmul } from "./frozen-ops.ts";
import { isFrozen } from "./frozen-weights.ts";

/** a·b for 2-D a [n, k] and b [k, m], or a·bᵀ for b [m, k] when transposeB. */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D, transposeB = false): tf.Tensor2D {
  if (isFrozen(b)) return frozenMatmul(a, b, transposeB);
  const native = nativeOps();
  if (native !== undefined) return native.matmul(a, b, false, transposeB);
  if (transposeB) return matmul(a, tf.transpose(b));
  const op = tf.customGrad((...args) => {
    const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(b)), tf.matMul(tf.transpose(a), dy)];
      },
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/** Sums over the rows of m [n, k] as a [k] vector, via a plain matmul (see the header). */
export function columnSums(m: tf.Tensor2D): tf.Tensor1D {
  const [rows, columns] = m.shape;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), m), [columns]);
}

/** x [n, k] + bias [k] broadcast over rows. */
export function addBias(x: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args) => {
    const [x, bias] = args as [tf.Tensor2D, tf.Tensor1D];
    return {
      value: tf.add(x, bias),
      gradFunc: (dy) => [dy, columnSums(dy as tf.Tensor2D)],
    };
  });
  return op(x, bias) as tf.Tensor2D;
}

export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  if (isFrozen(weight) && isFrozen(bias)) return frozenLinear(x, weight, bias);
  const native = nativeOps();
  if (native !== undefined) return native.linear(x, weight, bias);
  return addBias(matmul(x, weight), bias);
}

/**
 * Attention's query, key and value projections of x: three linears of the same input. The native
 * kernels make them one op, whose gradient sums the three products for dx inside BLAS.
 */
export function queryKeyValue(
  x: tf.Tensor2D,
  weights: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
  biases: [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D],
): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const native = nativeOps();
  // The fused kernel computes every weight's gradient: frozen weights take separate linears.
  const frozen = weights.some((weight) => isFrozen(weight));
  if (native !== undefined && !frozen) return native.queryKeyValue(x, weights, biases);
  const [query, key, value] = weights.map((weight, i) =>
    linear(x, weight, biases[i] as tf.Tensor1D),
  ) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  return [query, key, value];
}

/** Rows of table [vocab, d] for token ids [n] (int32), as [n, d]. */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const native = nativeOps();
  if (native !== undefined) return native.embeddingLookup(table, ids);
  const op = tf.customGrad((...args) => {
    const [table, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([ids]);
    return {
      value: tf.gather(table, ids),
      // scatterND adds the rows of tokens that occur more than once.
      gradFunc: (dy, saved) => {
        const [ids] = saved as [tf.Tensor1D];
        return [tf.scatterND(tf.reshape(ids, [-1, 1]), dy, table.shape)];
      },
    };
  });
  return op(table) as tf.Tensor2D;
}

export function layerNorm(
  x: tf.Tensor2D,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D,
  epsilon = 1e-5,
): tf.Tensor2D {
  const native = nativeOps();
  if (native !== undefined) return native.layerNorm(x, gain, bias, epsilon);
  const op = tf.customGrad((...args) => {
    const [x, gain, bias, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const centered = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.mul(centered, centered), -1, true);
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(centered, inverseStd);
    save([normalized, inverseStd, gain]);
    return {
      value: tf.add(tf.mul(normalized, gain), bias),
      gradFunc: (dy, saved) => {
        const [normalized, inverseStd, gain] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dyTimesGain = tf.mul(dy, gain);
        const dx = tf.mul(
          inverseStd,
          tf.sub(
            tf.sub(dyTimesGain, tf.mean(dyTimesGain, -1, true)),
            tf.mul(normalized, tf.mean(tf.mul(dyTimesGain, normalized), -1, true)),
          ),
        );
        const dy2 = dy as tf.Tensor2D;
        return [dx, columnSums(tf.mul(dy2, normalized)), columnSums(dy2)];
      },
    };
  });
  return op(x, gain, bias) as tf.Tensor2D;
}

/**
 * [a + b, LayerNorm(a + b)]: the residual stream's add and the LayerNorm that reads it. The native
 * kernels make them one op, whose gradients meet in one kernel instead of an Add.
 */
export function addLayerNorm(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D,
  epsilon = 1e-5,
): [tf.Tensor2D, tf.Tensor2D] {
  const native = nativeOps();
  if (native !== undefined) return native.addLayerNorm(a, b, gain, bias, epsilon);
  const sum: tf.Tensor2D = tf.add(a, b);
  return [sum, layerNorm(sum, gain, bias, epsilon)];
}

/** GELU, tanh approximation (as GPT-2): 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), u = c·(x + 0.044715·x³). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const native = nativeOps();
  if (native !== undefined) return native.gelu(x);
  const a = 2 * Math.sqrt(2 / Math.PI);
  const b = a * 0.044715;
  const op = tf.customGrad((...args) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const xSquared = tf.mul(x, x);
    const gate = tf.sigmoid(tf.mul(x, tf.add(tf.mul(xSquared, b), a)));
    save([x, xSquared, gate]);
    return {
      value: tf.mul(x, gate),
      gradFunc: (dy, saved) => {
        const [x, xSquared, gate] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // d/dx x·σ(z) = σ(z) + x·σ(z)·(1 - σ(z))·dz/dx, with dz/dx = a + 3b·x².
        const dz = tf.add(tf.mul(xSquared, 3 * b), a);
        const gateSlope = tf.mul(gate, tf.sub(1, gate));
        return [tf.mul(dy, tf.add(gate, tf.mul(tf.mul(x, gateSlope), dz)))];
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * The MLP gelu(x·w1 + b1)·w2 + b2. The native kernels make it one op, whose hidden layer's
 * gradient never becomes a tensor.
 */
export function geluMlp(
  x: tf.Tensor2D,
  w1: tf.Tensor2D,
  b1: tf.Tensor1D,
  w2: tf.Tensor2D,
  b2: tf.Tensor1D,
): tf.Tensor2D {
  const native = nativeOps();
  if (native !== undefined && !isFrozen(w1) && !isFrozen(w2)) {
    return native.geluMlp(x, w1, b1, w2, b2);
  }
  return linear(gelu(linear(x, w1, b1)), w2, b2);
}

/**
 * Causal multi-head attention on the projections' layout: query [batch·length, heads·headDim], key
 * and value [batch·length, kvHeads·headDim]; query head h uses key/value head h / (heads /
 * kvHeads), and each position sees the positions up to itself in its own sequence. With segments
 * [batch·length] (packed examples), only those of its own segment too. Returns
 * [batch·length, heads·headDim].
 *
 * The native kernel has no segments: with them, this takes the plain path.
 */
export function causalAttention(
  query: tf.Tensor2D,
  key: tf.Tensor2D,
  value: tf.Tensor2D,
  shape: AttentionHeads,
  segments?: Int32Array,
): tf.Tensor2D {
  const native = nativeOps();
  if (native !== undefined && segments === undefined) {
    return native.causalAttention(query, key, value, shape);
  }
  const { heads, kvHeads, length } = shape;
  const [rows, width] = query.shape;
  const [batch, size] = [rows / length, width / heads];
  const groupSize = heads / kvHeads;
  // [batch·length, n·size] -> [batch, n, length, size] -> [batch·kvHeads, g·length, size]
  const splitHeads = (m: tf.Tensor2D, n: number, groupRows: number) =>
    tf.reshape(tf.transpose(tf.reshape(m, [batch, length, n, size]), [0, 2, 1, 3]), [
      batch * kvHeads,
      groupRows,
      size,
    ]) as tf.Tensor3D;
  const groupRows = groupSize * length;
  const mask =
    segments === undefined
      ? tf.tensor2d(causalMask(groupRows, length), [groupRows, length])
      : tf.tensor3d(segmentedCausalMask(segments, kvHeads, groupRows, length), [
          batch * kvHeads,
          groupRows,
          length,
        ]);
  const out = groupedCausalAttention(
    splitHeads(query, heads, groupRows),
    splitHeads(key, kvHeads, length),
    splitHeads(value, kvHeads, length),
    mask,
  );
  mask.dispose();
  return tf.reshape(tf.transpose(tf.reshape(out, [batch, heads, length, size]), [0, 2, 1, 3]), [
    rows,
    width,
  ]);
}

/**
 * Masked attention over groups of rows that share one key/value head.
 *
 * query [groups, rows, headDim] where rows = queryHeadsPerGroup · T (the query heads of a group
 * stacked along the rows, so one product per group serves them all), key and value [groups, T,
 * headDim]. Row r of a group is position r mod T; the additive mask, [rows, T] for every group or
 * [groups, rows, T], says which keys it sees. Returns [groups, rows, headDim].
 *
 * These products are batched, which the wasm backend runs in its slow loop whatever the layout;
 * writing forward and backward by hand keeps them to the six products attention needs.
 */
function groupedCausalAttention(
  query: tf.Tensor3D,
  key: tf.Tensor3D,
  value: tf.Tensor3D,
  mask: tf.Tensor2D | tf.Tensor3D,
): tf.Tensor3D {
  const headDim = query.shape[2];
  const scale = 1 / Math.sqrt(headDim);
  const op = tf.customGrad((...args) => {
    const [query, key, value, save] = args as [
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
      tf.GradSaveFunc,
    ];
    const scaledQuery = tf.mul(query, scale);
    const scores = tf.add(tf.matMul(scaledQuery, key, false, true), mask);
    const probabilities = tf.softmax(scores);
    save([scaledQuery, key, value, probabilities]);
    return {
      value: tf.matMul(probabilities, value),
      gradFunc: (dy, saved) => {
        const [scaledQuery, key, value, probabilities] = saved as [
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor3D,
          tf.Tensor3D,
        ];
        const dOut = dy as tf.Tensor3D;
        const dValue = tf.matMul(probabilities, dOut, true, false);
        const dProbabilities = tf.matMul(dOut, value, false, true);
        // Softmax backward: p ⊙ (dp - Σ dp ⊙ p); masked entries have p = 0 and get no gradient.
        const rowDot = tf.sum(tf.mul(dProbabilities, probabilities), -1, true);
        const dScores = tf.mul(probabilities, tf.sub(dProbabilities, rowDot));
        const dQuery = tf.mul(tf.matMul(dScores, key), scale);
        const dKey = tf.matMul(dScores, scaledQuery, true, false);
        return [dQuery, dKey, dValue];
      },
    };
  });
  return op(query, key, value) as tf.Tensor3D;
}

/** Additive mask [rows, length]: 0 where row r (position r mod length) may look, -1e9 elsewhere. */
function causalMask(rows: number, length: number): Float32Array {
  const mask = new Float32Array(rows * length);
  for (let r = 0; r < rows; r++) {
    const position = r % length;
    mask.fill(-1e9, r * length + position + 1, (r + 1) * length);
  }
  return mask;
}

/**
 * Additive mask [batch·kvHeads, rows, length] for segments [batch·length]: as causalMask, and also
 * -1e9 where the key is in another segment than the row's position. Groups are batch-major, as
 * causalAttention splits the heads.
 */
function segmentedCausalMask(
  segments: Int32Array,
  kvHeads: number,
  rows: number,
  length: number,
): Float32Array {
  const batch = segments.length / length;
  const mask = new Float32Array(batch * kvHeads * rows * length);
  for (let b = 0; b < batch; b++) {
    const rowSegments = segments.subarray(b * length, (b + 1) * length);
    const groupMask = mask.subarray(b * kvHeads * rows * length, (b * kvHeads + 1) * rows * length);
    for (let r = 0; r < rows; r++) {
      const position = r % length;
      for (let k = 0; k < length; k++) {
        if (k > position || rowSegments[k] !== rowSegments[position])
          groupMask[r * length + k] = -1e9;
      }
    }
    // The batch row's other key/value heads have the same mask.
    for (let h = 1; h < kvHeads; h++)
      mask.copyWithin(
        (b * kvHeads + h) * rows * length,
        b * kvHeads * rows * length,
        (b * kvHeads + 1) * rows * length,
      );
  }
  return mask;
}

/**
 * Mean cross-entropy of logits [n, vocab] against target ids [n]. Its gradient is the familiar
 * (softmax - one-hot) / n, in one step instead of through logSoftmax's pieces.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const native = nativeOps();
  if (native !== undefined) return native.softmaxCrossEntropy(logits, targets);
  const op = tf.customGrad((...args) => {
    const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const [loss, dlogits] = softmaxCrossEntropyAndGradient(logits, targets);
    save([dlogits]);
    return {
      value: loss,
      gradFunc: (dy, saved) => [tf.mul(saved[0] as tf.Tensor2D, dy)],
    };
  });
  return op(logits) as tf.Scalar;
}

/**
 * softmaxCrossEntropy's value and its gradient (softmax - one-hot) / n, as tensors without a
 * gradient of their own: for ops that apply the gradient themselves (head-loss.ts).
 */
export function softmaxCrossEntropyAndGradient(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
): [tf.Scalar, tf.Tensor2D] {
  const native = nativeOps();
  if (native !== undefined) return native.softmaxCrossEntropyAndGradient(logits, targets);
  const [count, classes] = logits.shape;
  return tf.tidy(() => {
    // Cast from int32: the wasm OneHot kernel writes int32 bits even when asked for float32.
    const oneHot = tf.cast(tf.oneHot(targets, classes), "float32");
    const logProbabilities = tf.logSoftmax(logits);
    const loss = tf.div(tf.neg(tf.sum(tf.mul(logProbabilities, oneHot))), count) as tf.Scalar;
    const gradient = tf.div(tf.sub(tf.exp(logProbabilities), oneHot), count) as tf.Tensor2D;
    return [loss, gradient];
  });
}

/**
 * Mean cross-entropy over the rows where mask [n] is 1: prompt rows add nothing to the loss and get
 * exactly zero gradient. The trained rows are gathered (embeddingLookup: a gather whose gradient
 * scatters back) and go through softmaxCrossEntropy, so both keep their native fast paths.
 */
export function maskedSoftmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: Int32Array,
  mask: ArrayLike<number>,
): tf.Scalar {
  const rows = trainedRows(mask);
  return softmaxCrossEntropy(
    embeddingLookup(logits, tf.tensor1d(rows, "int32")),
    tf.tensor1d(
      rows.map((row) => targets[row] as number),
      "int32",
    ),
  );
}

/** The rows where mask [n] is 1: those a masked loss trains on. */
export function trainedRows(mask: ArrayLike<number>): number[] {
  const rows: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) rows.push(i);
  if (rows.length === 0) throw new Error("the loss mask selects no target: nothing to train on");
  return rows;
}
