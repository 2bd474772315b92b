import { describe, expect, it } from "vitest";
import { logConstrainedExpectedImprovement } from "../../src/tuning/samplers/gp/acquisition.ts";
import { GaussianProcess } from "../../src/tuning/samplers/gp/gaussian-process.ts";

const inputs = [
  [0.1, 0.2],
  [0.2, 0.3],
  [0.3, 0.1],
  [0.8, 0.7],
];
const kernel = { inverseSquaredLengthScales: [2, 3], signalVariance: 4, noiseVariance: 0.1 };
const objective = new GaussianProcess(inputs, [1, 2, 3, 0.5], [false, false], kernel);
const constraint = new GaussianProcess(inputs, [0.4, -1, 0.2, 1.1], [false, false], kernel);

/** Expected improvement in closed form (Jones et al. 1998): (μ − f*) Φ(z) + σ φ(z). */
function expectedImprovement(mean: number, sd: number, incumbent: number): number {
  const z = (mean - incumbent) / sd;
  return (mean - incumbent) * normalCdf(z) + (sd * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}

/** Φ by Simpson's rule on [−8, z]: slow and plain, for a reference. */
function normalCdf(z: number): number {
  const steps = 20000;
  const low = -8;
  const h = (z - low) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    const t = low + i * h;
    sum += weight * Math.exp(-0.5 * t * t);
  }
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

describe("log constrained expected improvement", () => {
  const x = [0.5, 0.4];

  it("is log EI in closed form without constraints", () => {
    const { mean, variance } = objective.posterior(x);
    const value = logConstrainedExpectedImprovement(objective, 3).value(x);
    expect(value).toBeCloseTo(Math.log(expectedImprovement(mean, Math.sqrt(variance), 3)), 8);
  });

  it("adds log P(feasible), and is only that when no trial is feasible yet", () => {
    const { mean, variance } = constraint.posterior(x);
    const logFeasible = Math.log(normalCdf((mean - 0.3) / Math.sqrt(variance)));
    const models = [{ process: constraint, threshold: 0.3 }];
    const plain = logConstrainedExpectedImprovement(objective, 3).value(x);
    expect(logConstrainedExpectedImprovement(objective, 3, models).value(x)).toBeCloseTo(
      plain + logFeasible,
      8,
    );
    expect(
      logConstrainedExpectedImprovement(objective, Number.NEGATIVE_INFINITY, models).value(x),
    ).toBeCloseTo(logFeasible, 8);
  });

  it("has the gradient of its value (central differences)", () => {
    const acquisition = logConstrainedExpectedImprovement(objective, 3, [
      { process: constraint, threshold: 0.3 },
    ]);
    for (const point of [x, [0.05, 0.95], [0.2, 0.25]]) {
      const { value, gradient } = acquisition.valueAndGradient(point);
      expect(value).toBe(acquisition.value(point));
      point.forEach((_, d) => {
        const h = 1e-6;
        const at = (delta: number) =>
          acquisition.value(point.map((v, i) => (i === d ? v + delta : v)));
        expect(gradient[d]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 5);
      });
    }
  });
});
