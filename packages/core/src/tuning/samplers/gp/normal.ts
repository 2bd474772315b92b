// The standard normal's tails in log space, for acquisition functions that must keep their slope
// far from the data: log Φ (probability of feasibility) and log EI, both with derivatives, both
// written through the scaled complementary error function erfcx(x) = exp(x²) erfc(x), which
// neither underflows nor cancels in the tails (Ament et al. 2023, "Unexpected Improvements to
// Expected Improvement for Bayesian Optimization", eq. 9, as Optuna's acqf.py).

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Below -ASYMPTOTIC_LIMIT, h(z) = φ(z) (1 − |z| R(|z|)) cancels; its expansion φ(z)/z² (1 − 3/z²) holds. */
const ASYMPTOTIC_LIMIT = 1e3;
/** Where erfcx switches from its power series to its continued fraction (both ~1e-14 there). */
const SERIES_LIMIT = 2;
const FRACTION_TERMS = 60;

/** exp(x²) erfc(x), relative error about 1e-14 for every x (Infinity below about -26.6). */
export function erfcx(x: number): number {
  if (x < 0) return 2 * Math.exp(x * x) - erfcx(-x);
  if (x < SERIES_LIMIT) {
    // exp(x²) erf(x) = 2/√π Σ x (2x²)ⁿ / (2n+1)!!, a series of positive terms.
    let sum = x;
    let term = x;
    for (let n = 1; term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return Math.exp(x * x) - (2 / SQRT_PI) * sum;
  }
  // Laplace's continued fraction √π erfcx(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
  let fraction = x;
  for (let k = FRACTION_TERMS; k > 0; k--) fraction = x + k / 2 / fraction;
  return 1 / (fraction * SQRT_PI);
}

/** The standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

/** Φ(-t)/φ(t), Mills' ratio, for t ≥ 0. */
function millsRatio(t: number): number {
  return SQRT_HALF_PI * erfcx(t / Math.SQRT2);
}

/** log Φ(z) and its derivative φ(z)/Φ(z). */
export function logNormalCdf(z: number): { value: number; derivative: number } {
  if (z < 0) {
    const ratio = millsRatio(-z);
    return { value: -0.5 * z * z - LOG_SQRT_2PI + Math.log(ratio), derivative: 1 / ratio };
  }
  const upperTail = normalPdf(z) * millsRatio(z);
  return { value: Math.log1p(-upperTail), derivative: normalPdf(z) / (1 - upperTail) };
}

/**
 * log h(z) with h(z) = E[max(0, Z + z)] = φ(z) + z Φ(z) for a standard normal Z (expected
 * improvement at z standard deviations above the incumbent), and its derivative Φ(z)/h(z).
 * Below zero h(z) = φ(z) (1 − |z| R(|z|)) with R Mills' ratio, which stays finite in logs.
 */
export function logH(z: number): { value: number; derivative: number } {
  if (z < -ASYMPTOTIC_LIMIT) {
    const inverseSquare = 1 / (z * z);
    return {
      value: -0.5 * z * z - LOG_SQRT_2PI + Math.log(inverseSquare) + Math.log1p(-3 * inverseSquare),
      derivative: -z - 2 / z,
    };
  }
  if (z < 0) {
    const ratio = millsRatio(-z);
    const rest = 1 + z * ratio;
    return { value: -0.5 * z * z - LOG_SQRT_2PI + Math.log(rest), derivative: ratio / rest };
  }
  const cdf = 1 - normalPdf(z) * millsRatio(z);
  const h = normalPdf(z) + z * cdf;
  return { value: Math.log(h), derivative: cdf / h };
}
