import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { enumerateGrid, GridSampler, gridValues } from "../../src/tuning/samplers/grid.ts";
import { SamplerExhaustedError } from "../../src/tuning/samplers/sampler.ts";
import { paramsKey, type SearchSpace } from "../../src/tuning/space.ts";
import type { StudyHistory } from "../../src/tuning/types.ts";

const space: SearchSpace = {
  schedule: { type: "categorical", choices: ["constant", "step", "cosine"] },
  gamma: { type: "float", low: 0.1, high: 0.9, step: 0.4, when: { schedule: ["step"] } },
  // Nested: only under step with gamma 0.5.
  step_size: { type: "int", low: 100, high: 200, step: 100, when: { gamma: [0.5] } },
  cycles: { type: "int", low: 1, high: 3, when: { schedule: ["cosine"] } },
  lr: { type: "float", low: 1e-4, high: 1e-2, log: true },
  seed: { type: "fixed", value: 0 },
};
// lr (3 points) × (constant + step: gamma 0.1, 0.9, 0.5 × two step sizes + cosine: 3 cycles).
const SIZE = 3 * (1 + (2 + 2) + 3);

describe("grid sampler", () => {
  it("enumerates every combination of the active parameters once", () => {
    const grid = enumerateGrid(space, 3);
    expect(grid).toHaveLength(SIZE);
    expect(new Set(grid.map(paramsKey)).size).toBe(SIZE);
    expect(grid.filter((params) => params.schedule === "constant")[0]).toEqual({
      schedule: "constant",
      lr: 0.0001,
      seed: 0,
    });
  });

  it("hands out each point exactly once, counting running trials, then says it is exhausted", () => {
    const sampler = new GridSampler({ gridPoints: 3 });
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    const random = new Random(4);
    for (let number = 0; number < SIZE; number++) {
      const params = sampler.ask(space, history, random);
      // Left running: the grid must not hand the point to another runner.
      history.trials.push({ number, params, state: "running", intermediate: [] });
    }
    const handedOut = new Set(history.trials.map((trial) => paramsKey(trial.params)));
    expect(handedOut).toEqual(new Set(enumerateGrid(space, 3).map(paramsKey)));
    expect(() => sampler.ask(space, history, random)).toThrow(SamplerExhaustedError);
    expect(() => sampler.ask(space, history, random)).toThrow(
      `grid sampler exhausted: all ${SIZE} points of the grid have trials`,
    );
  });

  it("continues a finished study's grid where it stopped (warm start, appended trials)", () => {
    const sampler = new GridSampler({ gridPoints: 3 });
    const done = enumerateGrid(space, 3).slice(0, SIZE - 1);
    const history: StudyHistory = {
      directions: ["minimize"],
      trials: done.map((params, number) => ({
        number,
        params,
        state: "completed",
        values: [number],
        intermediate: [],
      })),
    };
    const last = sampler.ask(space, history, new Random(1));
    expect(last).toEqual(enumerateGrid(space, 3)[SIZE - 1]);
  });

  it("needs a step or gridPoints for continuous parameters, and dedupes rounded log ints", () => {
    expect(() => gridValues("lr", { type: "float", low: 0, high: 1 })).toThrow(
      'grid sampler: float parameter "lr" has no step; give it a step or set the sampler\'s gridPoints',
    );
    expect(gridValues("width", { type: "int", low: 1, high: 4, log: true }, 10)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(gridValues("lr", { type: "float", low: 1e-4, high: 1, log: true }, 5)).toEqual([
      1e-4, 1e-3, 1e-2, 1e-1, 1,
    ]);
    expect(gridValues("n", { type: "int", low: 2, high: 10, step: 4 })).toEqual([2, 6, 10]);
  });

  it("refuses a grid too large to enumerate", () => {
    const huge: SearchSpace = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: "int", low: 0, high: 9 }]),
    );
    expect(() => enumerateGrid(huge)).toThrow(
      "the grid comes to 1,000,000 points, above the limit of 100,000 (ATTUNE_MAX_GRID_POINTS)",
    );
  });

  it("draws from a grid without conditions by index, as drawing from the listed grid would", () => {
    const flat: SearchSpace = {
      activation: { type: "categorical", choices: ["gelu", "relu", "silu"] },
      layers: { type: "int", low: 1, high: 4 },
      lr: { type: "float", low: 1e-4, high: 1e-2, log: true },
    };
    const grid = enumerateGrid(flat, 3);
    const sampler = new GridSampler({ gridPoints: 3 });
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    const [random, reference] = [new Random(9), new Random(9)];
    for (let number = 0; number < grid.length; number++) {
      const taken = new Set(history.trials.map((trial) => paramsKey(trial.params)));
      const expected = reference.choice(grid.filter((params) => !taken.has(paramsKey(params))));
      const params = sampler.ask(flat, history, random);
      expect(params).toEqual(expected);
      history.trials.push({ number, params, state: "running", intermediate: [] });
    }
    expect(() => sampler.ask(flat, history, random)).toThrow(
      `grid sampler exhausted: all ${grid.length} points of the grid have trials`,
    );
    // A grid at the limit: each draw lists its axes (1,100 values), not its 100,000 points.
    const wide: SearchSpace = {
      width: { type: "int", low: 1, high: 1000 },
      depth: { type: "int", low: 1, high: 100 },
    };
    const many: StudyHistory = { directions: ["minimize"], trials: [] };
    const started = performance.now();
    for (let number = 0; number < 200; number++) {
      const params = sampler.ask(wide, many, random);
      many.trials.push({ number, params, state: "running", intermediate: [] });
    }
    expect(new Set(many.trials.map((trial) => paramsKey(trial.params))).size).toBe(200);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
