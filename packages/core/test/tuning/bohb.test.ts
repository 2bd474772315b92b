// BOHB as Falkner, Klein and Hutter define it ("BOHB: Robust and Efficient Hyperparameter
// Optimization at Scale", ICML 2018, Algorithm 2): the model of the largest budget with at least
// N_min = d + 1 observations, a fraction ρ of random configurations.
import { describe, expect, it } from "vitest";
import { runMultiFidelityBenchmark } from "../../bench/multi-fidelity.ts";
import { Random } from "../../src/random.ts";
import { BohbSampler } from "../../src/tuning/samplers/bohb.ts";
import { createSampler, samplerSpecSchema } from "../../src/tuning/samplers/index.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { StudyHistory, TrialRecord, TrialState } from "../../src/tuning/types.ts";

// Budgets 1, 3 and 9: the rungs of a hyperband pruner from 1 to 9 steps with η = 3, and its end.
const hyperband = { minResource: 1, maxResource: 9, reductionFactor: 3 };
// Two parameters: N_min = 3.
const space: SearchSpace = {
  x: { type: "float", low: 0, high: 1 },
  y: { type: "float", low: 0, high: 1 },
};

function trial(
  number: number,
  x: number,
  state: TrialState,
  reports: [step: number, value: number][],
  final?: number,
): TrialRecord {
  return {
    number,
    params: { x, y: 0.5 },
    state,
    intermediate: reports.map(([step, value]) => ({ step, value })),
    ...(final === undefined ? {} : { values: [final] }),
  };
}

/**
 * Two trials trained to the end did best there with a large x; at budget 3, which five trials
 * reached, those with a small x did best.
 */
const history: StudyHistory = {
  directions: ["minimize"],
  trials: [
    trial(
      0,
      0.9,
      "completed",
      [
        [1, 0.9],
        [3, 0.8],
        [9, 0.1],
      ],
      0.1,
    ),
    trial(
      1,
      0.8,
      "completed",
      [
        [1, 0.8],
        [3, 0.7],
        [9, 0.2],
      ],
      0.2,
    ),
    trial(2, 0.2, "pruned", [
      [1, 0.5],
      [3, 0.2],
    ]),
    // Its first report from step 3 on is at step 4: that is its value at budget 3.
    trial(3, 0.3, "pruned", [
      [1, 0.6],
      [4, 0.3],
    ]),
    trial(4, 0.5, "pruned", [[1, 0.4]]),
    // Running, but past budget 3: an observation there.
    trial(5, 0.4, "running", [
      [1, 0.7],
      [3, 0.4],
    ]),
    trial(6, 0.6, "queued", []),
  ],
};

describe("BOHB sampler", () => {
  it("takes its budgets from the hyperband pruner's rungs", () => {
    expect(new BohbSampler({}, hyperband).budgets).toEqual([1, 3, 9]);
    const long = { minResource: 100, maxResource: 2700, reductionFactor: 3 };
    expect(new BohbSampler({}, long).budgets).toEqual([100, 300, 900, 2700]);
  });

  it("models the largest budget with N_min observations, with the values there", () => {
    const sampler = new BohbSampler({}, hyperband);
    // Budget 9 has two observations, budget 3 has five: the model learns budget 3's values.
    expect(sampler.modelObservations(space, history)).toMatchObject({
      budget: 3,
      observations: [0.8, 0.7, 0.2, 0.3, 0.4].map((score, i) => ({
        params: { x: [0.9, 0.8, 0.2, 0.3, 0.4][i], y: 0.5 },
        score,
      })),
    });
    // A third trial trained to the end, with no reports of its own: its final value counts there.
    const longer = {
      ...history,
      trials: [...history.trials, trial(7, 0.7, "completed", [], 0.05)],
    };
    expect(sampler.modelObservations(space, longer)).toMatchObject({
      budget: 9,
      observations: [{ score: 0.1 }, { score: 0.2 }, { score: 0.05 }],
    });
    // Maximising, scores are negated so that lower is still better.
    const maximise: StudyHistory = { ...longer, directions: ["maximize"] };
    expect(sampler.modelObservations(space, maximise)?.observations.map((o) => o.score)).toEqual([
      -0.1, -0.2, -0.05,
    ]);
    // N_min as a setting: four observations are needed, and budget 3 still has them.
    const four = new BohbSampler({ minObservations: 4 }, hyperband);
    expect(four.modelObservations(space, longer)?.budget).toBe(3);
    // No budget has enough: no model, every trial is random.
    const early = { ...history, trials: history.trials.slice(0, 2) };
    expect(sampler.modelObservations(space, early)).toBeUndefined();
  });

  it("samples where the trials did best at the model's budget, not at the end", () => {
    const sampler = new BohbSampler({ randomFraction: 0 }, hyperband);
    const xs = Array.from(
      { length: 50 },
      (_, seed) => sampler.ask(space, history, new Random(seed)).x as number,
    );
    // Good at budget 3: x = 0.2, 0.3 and 0.4; the finals would point to 0.8 and 0.9.
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(40);
  });

  it("draws a fraction ρ of configurations at random", () => {
    // Forty trials trained to the end, the lower n the better: the model keeps to n < 10.
    const counts: SearchSpace = { n: { type: "int", low: 0, high: 99 } };
    const trained: StudyHistory = {
      directions: ["minimize"],
      trials: Array.from({ length: 40 }, (_, n) => ({
        number: n,
        params: { n },
        state: "completed",
        values: [n],
        intermediate: [],
      })),
    };
    const farOff = (options: { randomFraction?: number }) => {
      const sampler = new BohbSampler(options, hyperband);
      const asks = Array.from({ length: 300 }, (_, seed) =>
        sampler.ask(counts, trained, new Random(seed)),
      );
      return asks.filter((params) => (params.n as number) >= 10).length;
    };
    expect(farOff({ randomFraction: 0 })).toBe(0);
    // A random draw lands at n >= 10 nine times in ten: 300 · 1/3 · 0.9 = 90 expected.
    const byDefault = farOff({});
    expect(byDefault).toBeGreaterThan(65);
    expect(byDefault).toBeLessThan(115);
    expect(farOff({ randomFraction: 1 })).toBeGreaterThan(250);
  });

  it("is created only with the hyperband pruner", () => {
    const spec = samplerSpecSchema.parse({ kind: "bohb" });
    expect(() => createSampler(spec, 0, undefined, { kind: "median", ...median })).toThrow(
      "the bohb sampler needs the hyperband pruner, whose rungs are its budgets; the pruner is median",
    );
    expect(createSampler(spec, 0, undefined, { kind: "hyperband", ...hyperband }).kind).toBe(
      "bohb",
    );
  });

  it("finds a good configuration with less resource than random search under hyperband", () => {
    // Counting ones with a budget of n coin flips: loss = f(params) + noise shrinking as 1/√n.
    const { resourceToGood } = runMultiFidelityBenchmark({
      seeds: 5,
      resource: 20,
      problems: ["counting ones"],
      samplers: ["random", "bohb"],
    });
    const random = resourceToGood.get("counting ones/random") as number;
    const bohb = resourceToGood.get("counting ones/bohb") as number;
    expect(bohb).toBeLessThan(random * 0.8);
  });
});

const median = { startupTrials: 5, warmupSteps: 0, intervalSteps: 1 };
