/**
 * Projections whose weights are frozen (frozen-weights.ts): only their input gets a gradient.
 * The regular ops' gradients (tf.customGrad, or the native fused kernels) compute every input's
 * gradient, the weight's included, whether or not anything trains it; here dx = dy·Wᵀ alone,
 * a third of a projection's work less in the backward pass, and no weight-sized gradient tensors.
 */
import { nativeOps } from "@attune/native";
import * as tf from "@tensorflow/tfjs";

/** f(x) with f's weights held fixed: x alone gets a gradient, dx = backward(dy). */
function withFixedWeights(
  x: tf.Tensor2D,
  forward: (x: tf.Tensor2D) => tf.Tensor2D,
  backward: (dy: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor2D {
  const op = tf.customGrad((...args) => {
    const [x] = args as [tf.Tensor2D];
    return { value: forward(x), gradFunc: (dy) => [backward(dy as tf.Tensor2D)] };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * op(a)·op(b), op transposing when asked, for use inside a gradient or forward function (no
 * gradient of its own needed).
 */
export function product(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA: boolean,
  transposeB: boolean,
): tf.Tensor2D {
  const native = nativeOps();
  if (native !== undefined) return native.matmul(a, b, transposeA, transposeB);
  // The wasm backend's fast path is the untransposed matmul (ops.ts): transpose explicitly.
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** a·b, or a·bᵀ, with b frozen. */
export function frozenMatmul(a: tf.Tensor2D, b: tf.Tensor2D, transposeB: boolean): tf.Tensor2D {
  return withFixedWeights(
    a,
    (a) => product(a, b, false, transposeB),
    (dy) => product(dy, b, false, !transposeB),
  );
}

/** x·weight + bias with weight and bias frozen. */
export function frozenLinear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const native = nativeOps();
  return withFixedWeights(
    x,
    (x) =>
      native !== undefined
        ? native.linear(x, weight, bias)
        : tf.add(product(x, weight, false, false), bias),
    (dy) => product(dy, weight, false, true),
  );
}
