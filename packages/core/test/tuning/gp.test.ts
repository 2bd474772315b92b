import { describe, expect, it } from "vitest";
import { GpSampler } from "../../src/tuning/samplers/gp.ts";
import { RandomSampler } from "../../src/tuning/samplers/random.ts";
import { randomForTrial } from "../../src/tuning/samplers/sampler.ts";
import { fitsSpace, type SearchSpace } from "../../src/tuning/space.ts";
import type { Params, StudyHistory, TrialRecord } from "../../src/tuning/types.ts";
import { bestValue, runStudy } from "./run-study.ts";

/** A wiggly 1-D function with its global minimum near x = 1.006 and a local one near 2.2. */
const wiggly = (x: number) => (x - 1.234) ** 2 + 0.3 * Math.sin(5 * x);
const line: SearchSpace = { x: { type: "float", low: -2, high: 3 } };

const bowl: SearchSpace = {
  x: { type: "float", low: -5, high: 5 },
  lr: { type: "float", low: 1e-5, high: 1, log: true },
};
const bowlValue = (params: Params) =>
  ((params.x as number) - 1) ** 2 + (Math.log10(params.lr as number) + 3) ** 2;

function completed(number: number, params: Params, values: number[]): TrialRecord {
  return { number, params, state: "completed", values, intermediate: [] };
}

describe("GP sampler", () => {
  it("finds the minimum of a 1-D function within 20 trials (3 seeds)", () => {
    let trueMinimum = Number.POSITIVE_INFINITY;
    for (let i = 0; i <= 500_000; i++) trueMinimum = Math.min(trueMinimum, wiggly(-2 + i * 1e-5));
    for (const seed of [0, 1, 2]) {
      const history = runStudy(
        new GpSampler({ startupTrials: 5 }),
        line,
        (params) => [wiggly(params.x as number)],
        20,
        seed,
      );
      expect(bestValue(history) - trueMinimum).toBeLessThan(1e-4);
    }
  });

  it("maximises when asked to", () => {
    const history = runStudy(
      new GpSampler({ startupTrials: 5 }),
      line,
      (params) => [-wiggly(params.x as number)],
      20,
      0,
      ["maximize"],
    );
    const best = Math.max(...history.trials.map((trial) => trial.values?.[0] as number));
    expect(best).toBeGreaterThan(0.2329);
  });

  it("draws the start-up trials at random", () => {
    const sampler = new GpSampler({ startupTrials: 3 });
    const history = runStudy(sampler, bowl, (params) => [bowlValue(params)], 3, 5);
    history.trials.forEach((trial, number) => {
      const random = new RandomSampler().ask(bowl, history, randomForTrial(5, number));
      expect(trial.params).toEqual(random);
    });
  });

  it("does not hand out a queued, running, paused or refused trial's point again", () => {
    const sampler = new GpSampler({ startupTrials: 8 });
    const history = runStudy(sampler, bowl, (params) => [bowlValue(params)], 12, 3);
    const asked: Params[] = [];
    // A completed trial without a value is a draw askWithinConstraints refused.
    for (const state of ["running", "queued", "paused", "completed"] as const) {
      // The same generator each time: only the pending trials differ between the asks.
      const params = sampler.ask(bowl, history, randomForTrial(3, 100));
      for (const earlier of asked) {
        const apart =
          Math.abs((params.x as number) - (earlier.x as number)) / 10 +
          Math.abs(Math.log10(params.lr as number) - Math.log10(earlier.lr as number)) / 5;
        expect(apart).toBeGreaterThan(0.01);
      }
      asked.push(params);
      history.trials.push({ number: history.trials.length, params, state, intermediate: [] });
    }
  });

  it("keeps out of the infeasible region when trials carry constraint values", () => {
    // Minimise x + y subject to x + y ≥ 0.6 (constraint 0.6 − x − y ≤ 0): the unconstrained
    // minimum (0, 0) is infeasible, the constrained ones lie on the line x + y = 0.6, which the
    // sampler should follow from both sides rather than head for the corner.
    const square: SearchSpace = {
      x: { type: "float", low: 0, high: 1 },
      y: { type: "float", low: 0, high: 1 },
    };
    const sums = (constrained: boolean) => {
      const sampler = new GpSampler({ startupTrials: 8 });
      const history: StudyHistory = { directions: ["minimize"], trials: [] };
      for (let number = 0; number < 20; number++) {
        const params = sampler.ask(square, history, randomForTrial(11, number));
        const sum = (params.x as number) + (params.y as number);
        const trial = completed(number, params, [sum]);
        history.trials.push(constrained ? { ...trial, constraints: [0.6 - sum] } : trial);
      }
      return history.trials.slice(8).map((trial) => trial.values?.[0] as number);
    };
    const constrained = sums(true);
    expect(Math.min(...constrained)).toBeGreaterThan(0.55);
    expect(Math.min(...constrained.filter((sum) => sum >= 0.6))).toBeLessThan(0.61);
    expect(Math.min(...sums(false))).toBeLessThan(0.1);
  });

  it("asks for valid ints, log ints, steps and choices, in a conditional space", () => {
    const space: SearchSpace = {
      model: { type: "categorical", choices: ["linear", "mlp"] },
      lr: { type: "float", low: 1e-5, high: 1, log: true },
      layers: { type: "int", low: 1, high: 8, when: { model: ["mlp"] } },
      width: { type: "int", low: 16, high: 1024, log: true, when: { model: ["mlp"] } },
      steps: { type: "int", low: 0, high: 100_000, step: 10, when: { model: ["mlp"] } },
      dropout: { type: "float", low: 0, high: 0.5, step: 0.05, when: { model: ["mlp"] } },
      activation: { type: "categorical", choices: ["relu", "gelu", "tanh"] },
      batch: { type: "fixed", value: 32 },
    };
    const objective = (params: Params) => [
      (Math.log10(params.lr as number) + 3) ** 2 +
        (params.model === "mlp"
          ? ((params.layers as number) - 4) ** 2 / 10 + (params.dropout as number)
          : 1) +
        (params.activation === "gelu" ? 0 : 0.5),
    ];
    const history = runStudy(new GpSampler({ startupTrials: 6 }), space, objective, 20, 4);
    for (const trial of history.trials) {
      expect(fitsSpace(space, trial.params), JSON.stringify(trial.params)).toBe(true);
    }
    const modelled = history.trials.slice(6);
    expect(modelled.some((trial) => trial.params.activation === "gelu")).toBe(true);
    expect(modelled.some((trial) => trial.params.model === "mlp")).toBe(true);
  });

  it("refuses a study with several objectives", () => {
    const history: StudyHistory = { directions: ["minimize", "maximize"], trials: [] };
    const sampler = new GpSampler({ startupTrials: 1 });
    history.trials.push(completed(0, { x: 0 }, [1, 2]));
    expect(() => sampler.ask(line, history, randomForTrial(0, 1))).toThrow(
      /gp sampler optimises one objective, the study has 2/,
    );
  });

  it("names itself and each problem in bad settings", () => {
    expect(() => new GpSampler({ startupTrials: 0 })).toThrow(/gp sampler settings/);
  });
});
