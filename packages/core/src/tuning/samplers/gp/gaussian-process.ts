// A Gaussian process over the unit cube with a Matérn 5/2 kernel and one length scale per
// dimension (ARD), as Optuna's optuna/_gp/gp.py: categorical dimensions count 0 when equal and 1
// when not (Hamming), whatever their coordinates. Fitting its hyperparameters is in ./fit.ts.
import { cholesky, choleskySolve, dot, solveLower, solveLowerTransposed } from "./linalg.ts";

export interface KernelParams {
  /** 1/ℓ² for each dimension, ℓ its length scale. */
  inverseSquaredLengthScales: number[];
  /** The kernel's value at distance zero: the prior variance of f. */
  signalVariance: number;
  /** Observation noise added to the diagonal. */
  noiseVariance: number;
}

const SQRT5 = Math.sqrt(5);

/** Matérn 5/2 of the scaled squared distance r²: (1 + √5 r + 5/3 r²) exp(−√5 r). */
export function matern52(squaredDistance: number): number {
  const sqrt5d = Math.sqrt(5 * squaredDistance);
  return Math.exp(-sqrt5d) * ((5 / 3) * squaredDistance + sqrt5d + 1);
}

/** Its derivative with respect to r² (not r, so it is finite at 0): −5/6 (1 + √5 r) exp(−√5 r). */
export function matern52Derivative(squaredDistance: number): number {
  const sqrt5d = SQRT5 * Math.sqrt(squaredDistance);
  return (-5 / 6) * (sqrt5d + 1) * Math.exp(-sqrt5d);
}

/** One dimension's contribution to the squared distance, before its length scale. */
export function squaredDifference(a: number, b: number, categorical: boolean): number {
  return categorical ? (a === b ? 0 : 1) : (a - b) ** 2;
}

export interface Posterior {
  mean: number;
  variance: number;
}

export interface PosteriorWithGradient extends Posterior {
  meanGradient: Float64Array;
  varianceGradient: Float64Array;
}

/** The posterior of f given observations y at inputs X, with the kernel's factorisation cached. */
export class GaussianProcess {
  readonly size: number;
  private readonly factor: Float64Array;
  /** (K + σ²I)⁻¹ y. */
  private readonly weights: Float64Array;

  constructor(
    readonly inputs: readonly number[][],
    readonly targets: readonly number[],
    readonly categorical: readonly boolean[],
    readonly params: KernelParams,
  ) {
    const n = inputs.length;
    this.size = n;
    const covariance = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const k = this.kernel(inputs[i] as number[], inputs[j] as number[]);
        covariance[i * n + j] = k;
        covariance[j * n + i] = k;
      }
      covariance[i * n + i] = (covariance[i * n + i] as number) + params.noiseVariance;
    }
    this.factor = cholesky(covariance, n);
    this.weights = choleskySolve(this.factor, n, targets);
  }

  get lengthScales(): number[] {
    return this.params.inverseSquaredLengthScales.map((theta) => 1 / Math.sqrt(theta));
  }

  kernel(a: readonly number[], b: readonly number[]): number {
    return this.params.signalVariance * matern52(this.scaledSquaredDistance(a, b));
  }

  private scaledSquaredDistance(a: readonly number[], b: readonly number[]): number {
    let sum = 0;
    for (let d = 0; d < a.length; d++) {
      const difference = squaredDifference(
        a[d] as number,
        b[d] as number,
        this.categorical[d] as boolean,
      );
      sum += (this.params.inverseSquaredLengthScales[d] as number) * difference;
    }
    return sum;
  }

  posterior(x: readonly number[]): Posterior {
    const covariances = this.inputs.map((input) => this.kernel(x, input));
    const mean = dot(covariances, this.weights);
    const v = solveLower(this.factor, this.size, covariances);
    return { mean, variance: Math.max(0, this.params.signalVariance - dot(v, v)) };
  }

  /** The posterior and its gradient in x; zero along categorical dimensions. */
  posteriorWithGradient(x: readonly number[]): PosteriorWithGradient {
    const n = this.size;
    const dimensions = x.length;
    const covariances = new Float64Array(n);
    const slopes = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r2 = this.scaledSquaredDistance(x, this.inputs[i] as number[]);
      covariances[i] = this.params.signalVariance * matern52(r2);
      slopes[i] = this.params.signalVariance * matern52Derivative(r2);
    }
    const mean = dot(covariances, this.weights);
    const v = solveLower(this.factor, n, covariances);
    const variance = Math.max(0, this.params.signalVariance - dot(v, v));
    // dk_i/dx_d = s M'(r²_i) · 2 θ_d (x_d − X_id); d var = −2 (K⁻¹k)ᵀ dk.
    const solved = solveLowerTransposed(this.factor, n, v);
    const meanGradient = new Float64Array(dimensions);
    const varianceGradient = new Float64Array(dimensions);
    for (let d = 0; d < dimensions; d++) {
      if (this.categorical[d]) continue;
      const theta = this.params.inverseSquaredLengthScales[d] as number;
      let meanSlope = 0;
      let varianceSlope = 0;
      for (let i = 0; i < n; i++) {
        const dk =
          (slopes[i] as number) *
          2 *
          theta *
          ((x[d] as number) - ((this.inputs[i] as number[])[d] as number));
        meanSlope += (this.weights[i] as number) * dk;
        varianceSlope -= 2 * (solved[i] as number) * dk;
      }
      meanGradient[d] = meanSlope;
      varianceGradient[d] = variance > 0 ? varianceSlope : 0;
    }
    return { mean, variance, meanGradient, varianceGradient };
  }

  /** The same kernel conditioned on more observations (the sampler's constant liar adds some). */
  withObservations(points: readonly number[][], values: readonly number[]): GaussianProcess {
    if (points.length === 0) return this;
    return new GaussianProcess(
      [...this.inputs, ...points],
      [...this.targets, ...values],
      this.categorical,
      this.params,
    );
  }
}
