/**
 * The norms: LayerNorm (ops.ts, with native kernels) and RMSNorm (Zhang & Sennrich 2019, as in
 * Llama): x / √(mean(x²) + ε) · gain, neither centred nor shifted.
 */
import * as tf from "@tensorflow/tfjs";
import { type GPTConfig, layerNormEpsilon } from "./config.ts";
import { addLayerNorm, columnSums, layerNorm } from "./ops.ts";

/** A norm's weights: LayerNorm has a bias, RMSNorm has none. */
export interface Norm {
  gain: tf.Variable<tf.Rank.R1>;
  bias: tf.Variable<tf.Rank.R1> | undefined;
}

export function normalize(x: tf.Tensor2D, norm: Norm, config: GPTConfig): tf.Tensor2D {
  const epsilon = layerNormEpsilon(config);
  if (norm.bias === undefined) return rmsNorm(x, norm.gain, epsilon);
  return layerNorm(x, norm.gain, norm.bias, epsilon);
}

/** [a + b, norm(a + b)]: the residual stream's add and the norm that reads it, fused for LayerNorm. */
export function addNormalize(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  norm: Norm,
  config: GPTConfig,
): [tf.Tensor2D, tf.Tensor2D] {
  if (norm.bias !== undefined) {
    return addLayerNorm(a, b, norm.gain, norm.bias, layerNormEpsilon(config));
  }
  const sum: tf.Tensor2D = tf.add(a, b);
  return [sum, normalize(sum, norm, config)];
}

/**
 * RMSNorm of each row of x [n, d], with its gradient by hand: with r = 1/√(mean(x²) + ε) and
 * n = x·r, dx = r·(dy·g - n·mean(dy·g·n)) and dgain = Σ_rows dy·n (a plain matmul, see ops.ts).
 */
export function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  const op = tf.customGrad((...args) => {
    const [x, gain, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const inverseRms = tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), epsilon));
    const normalized = tf.mul(x, inverseRms);
    save([normalized, inverseRms, gain]);
    return {
      value: tf.mul(normalized, gain),
      gradFunc: (dy, saved) => {
        const [normalized, inverseRms, gain] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dyTimesGain = tf.mul(dy, gain);
        const dx = tf.mul(
          inverseRms,
          tf.sub(
            dyTimesGain,
            tf.mul(normalized, tf.mean(tf.mul(dyTimesGain, normalized), -1, true)),
          ),
        );
        return [dx, columnSums(tf.mul(dy as tf.Tensor2D, normalized))];
      },
    };
  });
  return op(x, gain) as tf.Tensor2D;
}
