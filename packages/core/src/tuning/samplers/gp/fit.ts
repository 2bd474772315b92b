// Fitting a Gaussian process's kernel to the trials: the hyperparameters that maximise the log
// marginal likelihood plus Optuna's log prior (optuna/_gp/prior.py), searched on a log scale by
// L-BFGS from several starts, as optuna/_gp/gp.py's fit_kernel_params does from one or two.
import type { Random } from "../../../random.ts";
import {
  GaussianProcess,
  type KernelParams,
  matern52,
  matern52Derivative,
  squaredDifference,
} from "./gaussian-process.ts";
import { minimizeBox } from "./lbfgsb.ts";
import {
  cholesky,
  choleskyInverse,
  choleskyLogDeterminant,
  choleskySolve,
  dot,
  NotPositiveDefiniteError,
} from "./linalg.ts";

/** The smallest noise variance, so that the kernel matrix stays invertible (Optuna's). */
export const MINIMUM_NOISE_VARIANCE = 1e-6;
/** Starting points of the hyperparameter search: Optuna's default, then random ones. */
const FIT_STARTS = 3;
/** Optuna's gtol for this fit: tighter makes the marginal likelihood's search unstable. */
const FIT_GRADIENT_TOLERANCE = 1e-2;

/**
 * Optuna's log prior on the hyperparameters (up to a constant): −(0.1/θ + 0.1 θ) for each inverse
 * squared length scale θ, a Gamma(2, 1) on the signal variance and a Gamma(1.1, 30) on the noise.
 */
export function logPrior(params: KernelParams): number {
  const gamma = (x: number, concentration: number, rate: number) =>
    (concentration - 1) * Math.log(x) - rate * x;
  let sum = 0;
  for (const theta of params.inverseSquaredLengthScales) sum -= 0.1 / theta + 0.1 * theta;
  return sum + gamma(params.signalVariance, 2, 1) + gamma(params.noiseVariance, 1.1, 30);
}

/** log p(y | X, params), with its constant: Rasmussen & Williams (2006), eq. 2.30. */
export function logMarginalLikelihood(
  inputs: readonly number[][],
  targets: readonly number[],
  categorical: readonly boolean[],
  params: KernelParams,
): number {
  return new KernelFit(inputs, targets, categorical, false).logLikelihood(params).value;
}

export interface FitOptions {
  /** Hold the noise at its minimum: the objective gives the same value for the same params. */
  deterministic: boolean;
  random: Random;
}

/** The process with the hyperparameters of highest posterior density found from FIT_STARTS starts. */
export function fitGaussianProcess(
  inputs: readonly number[][],
  targets: readonly number[],
  categorical: readonly boolean[],
  options: FitOptions,
): GaussianProcess {
  const problem = new KernelFit(inputs, targets, categorical, options.deterministic);
  const dimensions = categorical.length;
  // Optuna's start: every θ, the signal and the noise at 1 (the noise as 1 above its minimum).
  const starts = [
    [...new Array<number>(dimensions + 1).fill(0), Math.log(1 - 0.99 * MINIMUM_NOISE_VARIANCE)],
  ];
  for (let i = 1; i < FIT_STARTS; i++) {
    starts.push([
      ...Array.from({ length: dimensions }, () =>
        options.random.uniform(Math.log(0.1), Math.log(30)),
      ),
      options.random.uniform(Math.log(0.3), Math.log(3)),
      options.random.uniform(Math.log(1e-4), Math.log(0.3)),
    ]);
  }
  const fits = starts.map((start) =>
    minimizeBox((raw) => problem.loss(raw), options.deterministic ? start.slice(0, -1) : start, {
      gradientTolerance: FIT_GRADIENT_TOLERANCE,
    }),
  );
  // The default start's noise of 1 keeps its kernel matrix positive definite, so at least its
  // loss is finite.
  const best = fits.reduce((a, b) => (b.value < a.value ? b : a));
  return new GaussianProcess(inputs, targets, categorical, problem.params(best.x));
}

/**
 * The marginal likelihood of one data set. The kernel matrix is symmetric with a constant
 * diagonal, so only its pairs i > j are computed, in `pairs` order: (1,0), (2,0), (2,1), (3,0)…
 */
export class KernelFit {
  private readonly n: number;
  /** differences[d][p]: dimension d's squared difference between the inputs of pair p. */
  private readonly differences: Float64Array[];

  constructor(
    inputs: readonly number[][],
    private readonly targets: readonly number[],
    categorical: readonly boolean[],
    private readonly deterministic: boolean,
  ) {
    const n = inputs.length;
    this.n = n;
    this.differences = categorical.map((isCategorical, d) => {
      const pairs = new Float64Array((n * (n - 1)) / 2);
      let p = 0;
      for (let i = 1; i < n; i++) {
        for (let j = 0; j < i; j++) {
          pairs[p++] = squaredDifference(
            inputs[i]?.[d] as number,
            inputs[j]?.[d] as number,
            isCategorical,
          );
        }
      }
      return pairs;
    });
  }

  /**
   * Hyperparameters from their unconstrained form: log θ per dimension, log signal, and
   * log(noise − minimum) unless the noise is held at its minimum.
   */
  params(raw: readonly number[]): KernelParams {
    const dimensions = this.differences.length;
    return {
      inverseSquaredLengthScales: raw.slice(0, dimensions).map(Math.exp),
      signalVariance: Math.exp(raw[dimensions] as number),
      noiseVariance: this.deterministic
        ? MINIMUM_NOISE_VARIANCE
        : Math.exp(raw[dimensions + 1] as number) + MINIMUM_NOISE_VARIANCE,
    };
  }

  /** −(log likelihood + log prior) and its gradient in the raw hyperparameters. */
  loss(raw: number[]): { value: number; gradient: number[] } {
    const params = this.params(raw);
    const likelihood = this.logLikelihood(params, true);
    if (likelihood.gradient === undefined) {
      return { value: Number.POSITIVE_INFINITY, gradient: raw.map(() => 0) };
    }
    const dimensions = this.differences.length;
    const gradient = likelihood.gradient;
    params.inverseSquaredLengthScales.forEach((theta, d) => {
      gradient[d] = (gradient[d] as number) + 0.1 / theta - 0.1 * theta;
    });
    gradient[dimensions] = (gradient[dimensions] as number) + 1 - params.signalVariance;
    if (!this.deterministic) {
      const noise = params.noiseVariance;
      gradient[dimensions + 1] =
        (gradient[dimensions + 1] as number) +
        (0.1 / noise - 30) * (noise - MINIMUM_NOISE_VARIANCE);
    }
    return {
      value: -(likelihood.value + logPrior(params)),
      gradient: gradient.map((g) => -g),
    };
  }

  /**
   * The log marginal likelihood and, when asked, its gradient in the raw hyperparameters:
   * ∂/∂p = ½ tr((ααᵀ − K⁻¹) ∂K/∂p) with α = K⁻¹y (Rasmussen & Williams, eq. 5.9). A kernel
   * matrix that is not positive definite has likelihood −∞ and no gradient.
   */
  logLikelihood(
    params: KernelParams,
    withGradient = false,
  ): { value: number; gradient?: number[] } {
    const { n, differences } = this;
    const thetas = params.inverseSquaredLengthScales;
    const pairCount = (n * (n - 1)) / 2;
    const squaredDistances = new Float64Array(pairCount);
    differences.forEach((pairs, d) => {
      const theta = thetas[d] as number;
      for (let p = 0; p < pairCount; p++) {
        squaredDistances[p] = (squaredDistances[p] as number) + theta * (pairs[p] as number);
      }
    });
    const kernel = new Float64Array(pairCount);
    for (let q = 0; q < pairCount; q++) {
      kernel[q] = params.signalVariance * matern52(squaredDistances[q] as number);
    }
    const covariance = new Float64Array(n * n);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        covariance[i * n + j] = kernel[p] as number;
        covariance[j * n + i] = kernel[p++] as number;
      }
      covariance[i * n + i] = params.signalVariance + params.noiseVariance;
    }
    let factor: Float64Array;
    try {
      factor = cholesky(covariance, n);
    } catch (error) {
      if (error instanceof NotPositiveDefiniteError) return { value: Number.NEGATIVE_INFINITY };
      throw error;
    }
    const alpha = choleskySolve(factor, n, this.targets);
    const value =
      -0.5 * dot(this.targets, alpha) -
      0.5 * choleskyLogDeterminant(factor, n) -
      0.5 * n * Math.log(2 * Math.PI);
    if (!withGradient) return { value };

    // W = ααᵀ − K⁻¹: its pairs weighted by ∂K/∂r² (for the θs) and its diagonal.
    const inverse = choleskyInverse(factor, n);
    const weightedSlopes = new Float64Array(pairCount);
    let kernelTrace = 0;
    let diagonalTrace = 0;
    p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const w = (alpha[i] as number) * (alpha[j] as number) - (inverse[i * n + j] as number);
        weightedSlopes[p] =
          w * params.signalVariance * matern52Derivative(squaredDistances[p] as number);
        kernelTrace += 2 * w * (kernel[p++] as number);
      }
      diagonalTrace += (alpha[i] as number) ** 2 - (inverse[i * n + i] as number);
    }
    // Each pair stands for (i, j) and (j, i), hence ½ · 2.
    const gradient = differences.map(
      (pairs, d) => (thetas[d] as number) * dot(weightedSlopes, pairs),
    );
    gradient.push(0.5 * (kernelTrace + diagonalTrace * params.signalVariance));
    if (!this.deterministic) {
      gradient.push(0.5 * diagonalTrace * (params.noiseVariance - MINIMUM_NOISE_VARIANCE));
    }
    return { value, gradient };
  }
}
