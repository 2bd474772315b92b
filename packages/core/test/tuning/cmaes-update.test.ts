// CMA-ES's strategy parameters and update against CyberAgent's cmaes library (cmaes/_cma.py,
// release 0.13.1), whose values fixtures/cmaes/reference.py wrote into reference.json.
import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import {
  type CmaState,
  cmaParameters,
  initialCmaState,
  sampleInUnitCube,
  shouldStopCma,
  tellCma,
} from "../../src/tuning/samplers/cma.ts";
import { expectClose, type Reference, reference } from "./cmaes-reference.ts";

describe("CMA-ES strategy parameters", () => {
  it.each(reference.parameters.map((p) => [p.dimensions, p] as const))(
    "equal cmaes' defaults for n = %i",
    (n, expected) => {
      const actual = cmaParameters(n);
      expect(actual.popsize).toBe(expected.popsize);
      expect(actual.mu).toBe(expected.mu);
      expect(actual.funhistTerm).toBe(expected.funhistTerm);
      expectClose(actual.weights, expected.weights, 14);
      for (const key of ["muEff", "cSigma", "dSigma", "cc", "c1", "cmu", "chiN"] as const) {
        expectClose(actual[key], expected[key], 14);
      }
    },
  );

  it("weigh the best μ positively, summing to 1, and the rest negatively", () => {
    const { weights, mu } = cmaParameters(4, 20);
    expect(weights.slice(0, mu).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(weights.slice(0, mu).every((w) => w > 0)).toBe(true);
    expect(weights.slice(mu).every((w) => w < 0)).toBe(true);
  });

  it("refuse a population too small to select from", () => {
    expect(() => cmaParameters(3, 1)).toThrow(/population of at least 2, got 1/);
  });
});

describe("CMA-ES update", () => {
  const { start, generations } = reference.update;
  const parameters = cmaParameters(start.mean.length);

  it("moves mean, step size, covariance and paths as cmaes' tell does, generation by generation", () => {
    // The third generation's far-off winners make pσ long, so h_σ = 0 stalls pc there.
    expect(generations.map((generation) => generation.hSigma)).toEqual([1, 1, 0]);
    let state = initialCmaState(start.mean, start.sigma);
    for (const { solutions, after } of generations) {
      state = tellCma(parameters, state, solutions);
      expectClose(state.mean, after.mean);
      expectClose(state.sigma, after.sigma);
      expectClose(state.cov.flat(), after.cov.flat());
      expectClose(state.pSigma, after.pSigma);
      expectClose(state.pc, after.pc);
    }
    expect(state.generation).toBe(generations.length);
  });

  it("does not depend on the order the solutions come in", () => {
    const { solutions } = generations[0] as Reference["update"]["generations"][number];
    const initial = initialCmaState(start.mean, start.sigma);
    const forward = tellCma(parameters, initial, solutions);
    const backward = tellCma(parameters, initial, [...solutions].reverse());
    expect(backward).toEqual(forward);
  });

  it("refuses a generation of the wrong size", () => {
    const initial = initialCmaState(start.mean, start.sigma);
    expect(() => tellCma(parameters, initial, [])).toThrow(
      /whole generation of 7 solutions, got 0/,
    );
  });
});

describe("CMA-ES sampling and stopping", () => {
  it("draws candidates with the distribution's mean and covariance, inside the unit cube", () => {
    const parameters = cmaParameters(2);
    const state = tellCma(parameters, initialCmaState([0.5, 0.5], 0.1), [
      ...Array.from({ length: 3 }, (_, i) => ({ x: [0.5 + 0.05 * i, 0.5 + 0.05 * i], value: -i })),
      ...Array.from({ length: 3 }, (_, i) => ({ x: [0.5 - 0.05 * i, 0.5 + 0.05 * i], value: i })),
    ]);
    const random = new Random(5);
    const draws = Array.from({ length: 20_000 }, () => sampleInUnitCube(state, random, 20));
    const mean = [0, 1].map(
      (i) => draws.reduce((acc, x) => acc + (x[i] as number), 0) / draws.length,
    );
    expectClose(mean, state.mean, 2);
    const covariance = [0, 1].map((i) =>
      [0, 1].map(
        (j) =>
          draws.reduce(
            (acc, x) =>
              acc +
              ((x[i] as number) - (mean[i] as number)) * ((x[j] as number) - (mean[j] as number)),
            0,
          ) / draws.length,
      ),
    );
    const expected = state.cov.map((row) => row.map((c) => state.sigma ** 2 * c));
    expectClose(covariance.flat(), expected.flat(), 3);
    expect(draws.every((x) => x.every((xi) => xi >= 0 && xi <= 1))).toBe(true);
  });

  it("clips to the cube once every redraw missed it", () => {
    const state = initialCmaState([2, -1], 0.01);
    expect(sampleInUnitCube(state, new Random(1), 10)).toEqual([1, 0]);
  });

  it("stops on flat values, a diverging step size and an ill-conditioned covariance, not before", () => {
    const parameters = cmaParameters(2);
    const initial = initialCmaState([0.5, 0.5], 0.2);
    expect(shouldStopCma(parameters, initial)).toBe(false);
    const flat: CmaState = {
      ...initial,
      generation: parameters.funhistTerm + 1,
      recentValues: Array.from({ length: parameters.funhistTerm }, () => [1, 1 + 1e-13]),
    };
    expect(shouldStopCma(parameters, flat)).toBe(true);
    expect(shouldStopCma(parameters, { ...flat, generation: parameters.funhistTerm })).toBe(false);
    expect(shouldStopCma(parameters, { ...initial, sigma: 2e4 })).toBe(true);
    // Axis lengths D = √eigenvalues 1e-15 and 1; at the origin no other criterion fires.
    const illConditioned: CmaState = {
      ...initial,
      mean: [0, 0],
      cov: [
        [1e-30, 0],
        [0, 1],
      ],
      scales: [1e-15, 1],
    };
    expect(shouldStopCma(parameters, { ...illConditioned, scales: [1e-13, 1] })).toBe(false);
    expect(shouldStopCma(parameters, illConditioned)).toBe(true);
  });
});
