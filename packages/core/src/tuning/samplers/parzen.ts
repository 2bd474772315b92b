// The Parzen estimators of TPE: a weighted mixture of one kernel per observation plus a broad
// prior kernel, over the unit interval of each numeric parameter (space.ts's toUnit) and the
// choice indices of each categorical one. Bandwidths and the prior follow Optuna's TPE.
import type { Random } from "../../random.ts";

/** A numeric parameter's unit interval (split into equal bins for stepped values), or a choice. */
export type ParzenDimension =
  | { type: "numeric"; bins?: number }
  | { type: "categorical"; choices: number };

export interface ParzenSettings {
  /** Weight of the prior kernel against each observation's. */
  priorWeight: number;
  /** Bandwidths by Scott's rule over the whole group (multivariate TPE), not by neighbours. */
  multivariate: boolean;
}

interface NumericKernels {
  type: "numeric";
  bins: number | undefined;
  mus: Float64Array;
  sigmas: Float64Array;
  /** Log of each truncated kernel's mass on [0, 1], its normaliser. */
  logMasses: Float64Array;
}

interface CategoricalKernels {
  type: "categorical";
  choices: number;
  /** Row k holds kernel k's probability of each choice. */
  probabilities: Float64Array;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export class ParzenEstimator {
  private readonly kernelWeights: Float64Array;
  private readonly logKernelWeights: Float64Array;
  private readonly dimensions: (NumericKernels | CategoricalKernels)[];

  /**
   * @param observations one row per observation, one coordinate per dimension
   * @param weights one weight per observation; the prior kernel is appended with priorWeight
   */
  constructor(
    dimensions: ParzenDimension[],
    observations: number[][],
    weights: number[],
    settings: ParzenSettings,
  ) {
    const kernels = observations.length + 1;
    const total = weights.reduce((sum, w) => sum + w, 0) + settings.priorWeight;
    this.kernelWeights = Float64Array.from([...weights, settings.priorWeight], (w) => w / total);
    this.logKernelWeights = this.kernelWeights.map(Math.log);
    this.dimensions = dimensions.map((dimension, d) => {
      const column = observations.map((row) => row[d] as number);
      if (dimension.type === "categorical") {
        return categoricalKernels(dimension.choices, column, settings.priorWeight);
      }
      const sigmas = settings.multivariate
        ? column.map(() => 0.2 * Math.max(column.length, 1) ** (-1 / (dimensions.length + 4)))
        : neighbourBandwidths(column);
      // Optuna's "magic clip": no kernel narrower than the range over the kernel count (up to 100).
      const minSigma = 1 / Math.min(100, 1 + kernels);
      const mus = Float64Array.from([...column, 0.5]);
      const clipped = Float64Array.from([...sigmas.map((s) => clamp(s, minSigma, 1)), 1]);
      const logMasses = mus.map((mu, k) => {
        const sigma = clipped[k] as number;
        return logNormalMass(-mu / sigma, (1 - mu) / sigma);
      });
      return { type: "numeric", bins: dimension.bins, mus, sigmas: clipped, logMasses };
    });
  }

  /** Points drawn from the mixture: a kernel by weight, then each coordinate from it. */
  sample(random: Random, count: number): number[][] {
    return Array.from({ length: count }, () => {
      const k = pickIndex(this.kernelWeights, 0, this.kernelWeights.length, random);
      return this.dimensions.map((dimension) => {
        if (dimension.type === "categorical") {
          return pickIndex(
            dimension.probabilities,
            k * dimension.choices,
            dimension.choices,
            random,
          );
        }
        return truncatedNormal(dimension.mus[k] as number, dimension.sigmas[k] as number, random);
      });
    });
  }

  /** Log density of the mixture at a point (log probability on binned and categorical axes). */
  logDensity(point: number[]): number {
    const terms = Float64Array.from(this.logKernelWeights);
    this.dimensions.forEach((dimension, d) => {
      const x = point[d] as number;
      for (let k = 0; k < terms.length; k++) {
        terms[k] = (terms[k] as number) + kernelLogDensity(dimension, k, x);
      }
    });
    return logSumExp(terms);
  }
}

function kernelLogDensity(dimension: NumericKernels | CategoricalKernels, k: number, x: number) {
  if (dimension.type === "categorical") {
    return Math.log(dimension.probabilities[k * dimension.choices + x] as number);
  }
  const mu = dimension.mus[k] as number;
  const sigma = dimension.sigmas[k] as number;
  const logMass = dimension.logMasses[k] as number;
  if (dimension.bins === undefined) {
    const z = (x - mu) / sigma;
    return -0.5 * z * z - Math.log(sigma) - LOG_SQRT_2PI - logMass;
  }
  const bin = Math.min(dimension.bins - 1, Math.floor(x * dimension.bins));
  const low = bin / dimension.bins;
  const high = (bin + 1) / dimension.bins;
  return logNormalMass((low - mu) / sigma, (high - mu) / sigma) - logMass;
}

/**
 * Optuna's univariate bandwidths: each kernel as wide as the larger gap to its neighbours among
 * the observations, the prior's centre and the interval's ends; the outermost ones take the gap
 * to their inner neighbour, so the ends do not widen them.
 */
function neighbourBandwidths(mus: number[]): number[] {
  const withPrior = [...mus, 0.5];
  const order = withPrior
    .map((_, i) => i)
    .sort((a, b) => (withPrior[a] as number) - (withPrior[b] as number));
  const points = [0, ...order.map((i) => withPrior[i] as number), 1];
  const sorted = order.map((_, i) =>
    Math.max(
      (points[i + 1] as number) - (points[i] as number),
      (points[i + 2] as number) - (points[i + 1] as number),
    ),
  );
  if (points.length >= 4) {
    sorted[0] = (points[2] as number) - (points[1] as number);
    sorted[sorted.length - 1] = (points.at(-2) as number) - (points.at(-3) as number);
  }
  const sigmas = new Array<number>(withPrior.length);
  order.forEach((original, i) => {
    sigmas[original] = sorted[i] as number;
  });
  return sigmas.slice(0, mus.length);
}

/** Each observation's choice gets an extra unit of weight over a prior spread on all choices. */
function categoricalKernels(
  choices: number,
  observed: number[],
  priorWeight: number,
): CategoricalKernels {
  const kernels = observed.length + 1;
  const floor = priorWeight / kernels;
  const probabilities = new Float64Array(kernels * choices);
  for (let k = 0; k < kernels; k++) {
    const choice = observed[k];
    const total = floor * choices + (choice === undefined ? 0 : 1);
    for (let c = 0; c < choices; c++) {
      probabilities[k * choices + c] = (floor + (c === choice ? 1 : 0)) / total;
    }
  }
  return { type: "categorical", choices, probabilities };
}

function pickIndex(weights: Float64Array, offset: number, count: number, random: Random): number {
  let u = random.next();
  for (let i = 0; i < count - 1; i++) {
    u -= weights[offset + i] as number;
    if (u < 0) return i;
  }
  return count - 1;
}

/** A normal draw truncated to [0, 1], by inverting the CDF between the bounds. */
function truncatedNormal(mu: number, sigma: number, random: Random): number {
  const low = normalCdf(-mu / sigma);
  const high = normalCdf((1 - mu) / sigma);
  const x = mu + sigma * normalQuantile(low + random.next() * (high - low));
  return clamp(x, 0, 1);
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

function logSumExp(terms: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const t of terms) if (t > max) max = t;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

/** log(Φ(b) − Φ(a)), computed in the tail where a and b lie so that far tails keep precision. */
function logNormalMass(a: number, b: number): number {
  const mass =
    a > 0
      ? 0.5 * (erfc(a / Math.SQRT2) - erfc(b / Math.SQRT2))
      : 0.5 * (erfc(-b / Math.SQRT2) - erfc(-a / Math.SQRT2));
  return Math.log(Math.max(mass, 0));
}

function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Complementary error function, relative error below 1.2e-7 (Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const QUANTILE_A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const QUANTILE_B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
];
const QUANTILE_C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const QUANTILE_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error 1.2e-9). */
function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const tail = 0.02425;
  if (p < tail || p > 1 - tail) {
    const q = Math.sqrt(-2 * Math.log(p < tail ? p : 1 - p));
    const x = polynomial(QUANTILE_C, q) / (polynomial(QUANTILE_D, q) * q + 1);
    return p < tail ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(QUANTILE_A, r) * q) / (polynomial(QUANTILE_B, r) * r + 1);
}

/** Horner's rule, coefficients from the highest power down. */
function polynomial(coefficients: number[], x: number): number {
  return coefficients.reduce((sum, c) => sum * x + c, 0);
}
