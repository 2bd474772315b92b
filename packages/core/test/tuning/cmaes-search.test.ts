// CMA-ES as a search: convergence on the sphere and a rotated ellipsoid, and IPOP's restarts.
import { describe, expect, it } from "vitest";
import { type CmaEsOptions, CmaEsSampler } from "../../src/tuning/samplers/cmaes.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { Params, StudyHistory } from "../../src/tuning/types.ts";
import { bestValue, runStudy } from "./run-study.ts";

function box(n: number): SearchSpace {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`x${i}`, { type: "float", low: -1, high: 1 }]),
  );
}

/** The distance of params from an optimum off the centre, coordinate by coordinate. */
const offsets = (params: Params, n: number) =>
  Array.from({ length: n }, (_, i) => (params[`x${i}`] as number) - (0.3 - 0.1 * i));

const sphere = (n: number) => (params: Params) => [
  offsets(params, n).reduce((sum, d) => sum + d * d, 0),
];

/** Σ 10^(3i/(n-1)) y_i², y the offsets turned by Givens rotations: condition number 10^3. */
const rotatedEllipsoid = (n: number) => (params: Params) => {
  const y = offsets(params, n);
  for (let i = 0; i + 1 < n; i++) {
    const [a, b] = [y[i] as number, y[i + 1] as number];
    y[i] = Math.cos(0.7) * a - Math.sin(0.7) * b;
    y[i + 1] = Math.sin(0.7) * a + Math.cos(0.7) * b;
  }
  return [y.reduce((sum, yi, i) => sum + 10 ** ((3 * i) / (n - 1)) * yi * yi, 0)];
};

describe("CMA-ES search", () => {
  it("converges on the 2-D sphere within 200 trials", () => {
    for (const seed of [0, 1, 2]) {
      const history = runStudy(new CmaEsSampler({}, seed), box(2), sphere(2), 200, seed);
      expect(bestValue(history)).toBeLessThan(1e-6);
    }
  });

  it("learns the shape of a rotated 3-D ellipsoid within 400 trials", () => {
    for (const seed of [0, 1, 2]) {
      const history = runStudy(new CmaEsSampler({}, seed), box(3), rotatedEllipsoid(3), 400, seed);
      expect(bestValue(history)).toBeLessThan(1e-4);
    }
  });

  it("maximises as well", () => {
    const negated = (params: Params) => [-(sphere(2)(params)[0] as number)];
    const history = runStudy(new CmaEsSampler({}, 3), box(2), negated, 200, 3, ["maximize"]);
    expect(-bestValueMax(history)).toBeLessThan(1e-6);
  });
});

function bestValueMax(history: StudyHistory): number {
  return Math.max(...history.trials.map((trial) => trial.values?.[0] ?? Number.NEGATIVE_INFINITY));
}

describe("CMA-ES restarts", () => {
  /** Each restart's population and first trial, read off the open generation every 6 trials. */
  function restarts(
    options: CmaEsOptions,
    objective: (params: Params) => number[],
    trials: number,
  ) {
    const space = box(2);
    const sampler = new CmaEsSampler(options, 5);
    const history = runStudy(sampler, space, objective, trials, 5);
    const seen: { restart: number; popsize: number; start: number }[] = [];
    for (let count = 6; count <= trials; count += 6) {
      const prefix = { ...history, trials: history.trials.slice(0, count) };
      const generation = sampler.currentGeneration(space, prefix);
      const { restart, index, parameters } = generation;
      if (seen.at(-1)?.restart !== restart) {
        // Every trial completes, so each generation is popsize consecutive trials.
        const start = generation.start - index * parameters.popsize;
        seen.push({ restart, popsize: parameters.popsize, start });
      }
    }
    return seen;
  }

  it("restarts with double the population when the values stop changing (cmaes' tolfun)", () => {
    // On a flat function each run stops once its last funhistTerm generations (10 + ⌈30n/λ⌉) all
    // had the same value: after 21 generations of 6, then 16 of 12.
    const flat = () => [1];
    expect(restarts({ restartStrategy: "ipop" }, flat, 400)).toEqual([
      { restart: 0, popsize: 6, start: 0 },
      { restart: 1, popsize: 12, start: 21 * 6 },
      { restart: 2, popsize: 24, start: 21 * 6 + 16 * 12 },
    ]);
    expect(restarts({ restartStrategy: "none" }, flat, 200)).toEqual([
      { restart: 0, popsize: 6, start: 0 },
    ]);
    expect(restarts({ restartStrategy: "ipop", popsize: 8, incPopsize: 3 }, flat, 200)).toEqual([
      { restart: 0, popsize: 8, start: 0 },
      { restart: 1, popsize: 24, start: 19 * 8 },
    ]);
  });

  it("starts each restart from a new random point", () => {
    const space = box(2);
    const sampler = new CmaEsSampler({ restartStrategy: "ipop" }, 5);
    const history = runStudy(sampler, space, () => [1], 130, 5);
    const generation = sampler.currentGeneration(space, history);
    expect(generation.restart).toBe(1);
    expect(generation.state.mean).not.toEqual([0.5, 0.5]);
    expect(generation.state.sigma).toBe(1 / 6);
  });
});
