// The acquisition function the GP sampler maximises: log expected improvement over the incumbent,
// plus, with constraints, the log probability that each constraint holds (Gardner et al. 2014,
// "Bayesian Optimization with Inequality Constraints"; Optuna's LogEI, LogPI and LogCEI in
// optuna/_gp/acqf.py). Everything is maximised: the sampler flips the signs of minimised values.
import type { GaussianProcess, Posterior, PosteriorWithGradient } from "./gaussian-process.ts";
import { logH, logNormalCdf } from "./normal.ts";

/** Added to the posterior variance so that the standard deviation is never zero (Optuna's). */
const STABILIZING_NOISE = 1e-12;

export interface ConstraintModel {
  process: GaussianProcess;
  /** The (standardised, sign-flipped) value at or above which the constraint holds. */
  threshold: number;
}

export interface Acquisition {
  value(x: readonly number[]): number;
  valueAndGradient(x: readonly number[]): { value: number; gradient: Float64Array };
  /** The objective model's length scales, to precondition the search over x. */
  readonly lengthScales: number[];
}

/**
 * log EI(x) of improving on `incumbent` (−Infinity when no trial is feasible yet: then only the
 * probability of feasibility counts), plus Σ log P(constraint k holds at x).
 */
export function logConstrainedExpectedImprovement(
  objective: GaussianProcess,
  incumbent: number,
  constraints: readonly ConstraintModel[] = [],
): Acquisition {
  const terms: ((x: readonly number[], withGradient: boolean) => Term)[] = [];
  if (incumbent !== Number.NEGATIVE_INFINITY) {
    terms.push((x, withGradient) =>
      logImprovement(posterior(objective, x, withGradient), incumbent),
    );
  }
  for (const { process, threshold } of constraints) {
    terms.push((x, withGradient) => logFeasibility(posterior(process, x, withGradient), threshold));
  }
  return {
    lengthScales: objective.lengthScales,
    value: (x) => terms.reduce((sum, term) => sum + term(x, false).value, 0),
    valueAndGradient: (x) => {
      const gradient = new Float64Array(x.length);
      let value = 0;
      for (const term of terms) {
        const part = term(x, true);
        value += part.value;
        part.gradient?.forEach((g, d) => {
          gradient[d] = (gradient[d] as number) + g;
        });
      }
      return { value, gradient };
    },
  };
}

interface Term {
  value: number;
  gradient?: Float64Array;
}

/** A posterior, with its gradient when asked for. */
type Evaluated = Posterior & Partial<PosteriorWithGradient>;

/** The posterior, with its gradient only when asked (the gradient costs a second solve). */
function posterior(
  process: GaussianProcess,
  x: readonly number[],
  withGradient: boolean,
): Evaluated {
  return withGradient ? process.posteriorWithGradient(x) : process.posterior(x);
}

/** z = (mean − target)/σ and, given its gradient parts, dz/dx and dσ/dx / σ. */
function standardise(at: Evaluated, target: number) {
  const sigma = Math.sqrt(at.variance + STABILIZING_NOISE);
  const z = (at.mean - target) / sigma;
  const { meanGradient, varianceGradient } = at;
  if (meanGradient === undefined || varianceGradient === undefined) return { sigma, z };
  // dσ/σ = dvar / (2σ²); dz = dmean/σ − z dσ/σ.
  const logSigmaGradient = varianceGradient.map((g) => g / (2 * sigma * sigma));
  const zGradient = meanGradient.map((g, d) => g / sigma - z * (logSigmaGradient[d] as number));
  return { sigma, z, zGradient, logSigmaGradient };
}

/** log E[max(0, f(x) − incumbent)] = log h(z) + log σ. */
function logImprovement(at: Evaluated, incumbent: number): Term {
  const { sigma, z, zGradient, logSigmaGradient } = standardise(at, incumbent);
  const h = logH(z);
  const value = h.value + Math.log(sigma);
  if (zGradient === undefined || logSigmaGradient === undefined) return { value };
  return {
    value,
    gradient: zGradient.map((g, d) => h.derivative * g + (logSigmaGradient[d] as number)),
  };
}

/** log P(f(x) ≥ threshold) = log Φ(z). */
function logFeasibility(at: Evaluated, threshold: number): Term {
  const { z, zGradient } = standardise(at, threshold);
  const cdf = logNormalCdf(z);
  if (zGradient === undefined) return { value: cdf.value };
  return { value: cdf.value, gradient: zGradient.map((g) => cdf.derivative * g) };
}
