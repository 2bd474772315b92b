import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { RandomSampler } from "../../src/tuning/samplers/random.ts";
import { randomForTrial, SamplerExhaustedError } from "../../src/tuning/samplers/sampler.ts";
import { rankTrials, TpeSampler } from "../../src/tuning/samplers/tpe.ts";
import { paramsKey, type SearchSpace } from "../../src/tuning/space.ts";
import type { Params, StudyHistory, TrialRecord } from "../../src/tuning/types.ts";
import { bestValue, median, runStudy } from "./run-study.ts";

const bowl: SearchSpace = {
  x: { type: "float", low: -5, high: 5 },
  y: { type: "float", low: -5, high: 5 },
  lr: { type: "float", low: 1e-5, high: 1, log: true },
};
const bowlValue = (params: Params) =>
  ((params.x as number) - 1) ** 2 +
  ((params.y as number) + 2) ** 2 +
  (Math.log10(params.lr as number) + 3) ** 2;

const SEEDS = Array.from({ length: 10 }, (_, seed) => seed);

function completed(number: number, params: Params, value: number): TrialRecord {
  return { number, params, state: "completed", values: [value], intermediate: [] };
}

/** A study of `count` random completed trials of the bowl. */
function randomHistory(count: number, seed: number): StudyHistory {
  return runStudy(new RandomSampler(), bowl, (params) => [bowlValue(params)], count, seed);
}

describe("TPE sampler", () => {
  it("finds lower values than random search on a simple function (10 fixed seeds)", () => {
    const best = (sampler: () => TpeSampler | RandomSampler) =>
      median(
        SEEDS.map((seed) =>
          bestValue(runStudy(sampler(), bowl, (params) => [bowlValue(params)], 40, seed)),
        ),
      );
    const tpe = best(() => new TpeSampler());
    const random = best(() => new RandomSampler());
    expect(tpe).toBeLessThan(random * 0.6);
  });

  it("also wins with the multivariate option, and when maximising", () => {
    const multivariate = median(
      SEEDS.map((seed) =>
        bestValue(
          runStudy(new TpeSampler({ multivariate: true }), bowl, (p) => [bowlValue(p)], 40, seed),
        ),
      ),
    );
    const random = median(
      SEEDS.map((seed) =>
        bestValue(runStudy(new RandomSampler(), bowl, (p) => [bowlValue(p)], 40, seed)),
      ),
    );
    expect(multivariate).toBeLessThan(random);

    const maximised = SEEDS.map((seed) => {
      const history = runStudy(new TpeSampler(), bowl, (p) => [-bowlValue(p)], 40, seed, [
        "maximize",
      ]);
      return -Math.max(...history.trials.map((trial) => trial.values?.[0] as number));
    });
    expect(median(maximised)).toBeLessThan(random);
  });

  it("samples at random during the start-up trials", () => {
    const history = randomHistory(9, 1);
    const tpe = new TpeSampler({ startupTrials: 10 });
    const random = new RandomSampler();
    expect(tpe.ask(bowl, history, new Random(5))).toEqual(random.ask(bowl, history, new Random(5)));
    history.trials.push(completed(9, { x: 1, y: -2, lr: 1e-3 }, 0));
    expect(tpe.ask(bowl, history, new Random(5))).not.toEqual(
      random.ask(bowl, history, new Random(5)),
    );
  });

  it("steers parallel runners apart with the constant liar", () => {
    const history = randomHistory(30, 2);
    // The worst case for duplicates: every runner asks with the same generator state.
    const ask = (sampler: TpeSampler, study: StudyHistory) =>
      sampler.ask(bowl, study, new Random(9));
    const liar = new TpeSampler();
    const first = ask(liar, history);
    const pending = { ...history, trials: [...history.trials] };
    const handedOut = [first];
    for (let runner = 1; runner < 8; runner++) {
      const previous = handedOut.at(-1) as Params;
      pending.trials.push({
        number: 29 + runner,
        params: previous,
        state: "running",
        intermediate: [],
      });
      handedOut.push(ask(liar, pending));
    }
    expect(new Set(handedOut.map(paramsKey)).size).toBe(8);

    // Without the liar the same state gives the same point: the liar is what separates them.
    const honest = new TpeSampler({ constantLiar: false });
    expect(ask(honest, pending)).toEqual(ask(honest, history));
  });

  it("hands out distinct points to running trials of a small discrete space", () => {
    const discrete: SearchSpace = {
      layers: { type: "int", low: 1, high: 8 },
      activation: { type: "categorical", choices: ["relu", "gelu", "tanh"] },
    };
    const value = (p: Params) =>
      ((p.layers as number) - 5) ** 2 + (p.activation === "gelu" ? 0 : 1);
    const history = runStudy(new RandomSampler(), discrete, (p) => [value(p)], 12, 3);
    const sampler = new TpeSampler();
    for (let runner = 0; runner < 6; runner++) {
      const params = sampler.ask(discrete, history, randomForTrial(0, runner));
      history.trials.push({ number: 12 + runner, params, state: "running", intermediate: [] });
    }
    const running = history.trials.filter((trial) => trial.state === "running");
    expect(new Set(running.map((trial) => paramsKey(trial.params))).size).toBe(6);
  });

  it("never hands out a running configuration while a free one exists", () => {
    // Two choices by three: six configurations, each completed twice, the three best running.
    const space: SearchSpace = {
      optimizer: { type: "categorical", choices: ["adam", "sgd"] },
      schedule: { type: "categorical", choices: ["cosine", "linear", "constant"] },
    };
    const configurations = ["adam", "sgd"].flatMap((optimizer) =>
      ["cosine", "linear", "constant"].map((schedule) => ({ optimizer, schedule })),
    );
    const trials = [...configurations, ...configurations].map((params, number) =>
      completed(number, params, configurations.indexOf(params)),
    );
    const running = (count: number): TrialRecord[] =>
      configurations.slice(0, count).map((params, i) => ({
        number: 12 + i,
        params,
        state: "running",
        intermediate: [],
      }));
    const history: StudyHistory = { directions: ["minimize"], trials: [...trials, ...running(3)] };
    const taken = new Set(configurations.slice(0, 3).map(paramsKey));
    for (const options of [{}, { multivariate: true }, { startupTrials: 100 }]) {
      const sampler = new TpeSampler(options);
      const asks = Array.from({ length: 50 }, (_, i) =>
        sampler.ask(space, history, randomForTrial(0, 15 + i)),
      );
      expect(asks.filter((params) => taken.has(paramsKey(params))).length).toBe(0);
      expect(new Set(asks.map(paramsKey)).size).toBe(3);
    }
    // Every configuration training: no duplicate, the controller waits for one to finish.
    const full: StudyHistory = { directions: ["minimize"], trials: [...trials, ...running(6)] };
    expect(() => new TpeSampler().ask(space, full, new Random(0))).toThrow(SamplerExhaustedError);
    // A log-scale int takes every integer of its range: the one free value is found.
    const logInt: SearchSpace = { heads: { type: "int", low: 1, high: 3, log: true } };
    const two: StudyHistory = {
      directions: ["minimize"],
      trials: [1, 3].map((heads, number) => ({
        number,
        params: { heads },
        state: "running",
        intermediate: [],
      })),
    };
    for (let i = 0; i < 20; i++) {
      expect(new TpeSampler().ask(logInt, two, new Random(i))).toEqual({ heads: 2 });
    }
  });

  it("learns which branch of a conditional space is better", () => {
    const space: SearchSpace = {
      model: { type: "categorical", choices: ["linear", "mlp"] },
      l2: { type: "float", low: 1e-6, high: 1e-1, log: true, when: { model: ["linear"] } },
      layers: { type: "int", low: 1, high: 8, when: { model: ["mlp"] } },
      width: {
        type: "int",
        low: 16,
        high: 1024,
        log: true,
        when: { layers: [2, 3, 4, 5, 6, 7, 8] },
      },
    };
    const value = (p: Params) =>
      p.model === "linear"
        ? 1 + Math.abs(Math.log10(p.l2 as number) + 3)
        : ((p.layers as number) - 3) ** 2 / 10 + (p.width === undefined ? 0.5 : 0);
    for (const multivariate of [false, true]) {
      const history = runStudy(new TpeSampler({ multivariate }), space, (p) => [value(p)], 50, 4);
      const late = history.trials.slice(30);
      const mlp = late.filter((trial) => trial.params.model === "mlp").length;
      expect(mlp / late.length).toBeGreaterThan(0.7);
    }
  });

  it("ranks completed trials first, then pruned ones by the step they reached", () => {
    const space: SearchSpace = { x: { type: "float", low: -5, high: 5 } };
    const pruned = (number: number, x: number, step: number, value: number): TrialRecord => ({
      number,
      params: { x },
      state: "pruned",
      intermediate: [{ step, value }],
    });
    // Half the trials count as good: the sampler should stay near the good half's x.
    const nearGood = (trials: TrialRecord[], goodX: number) => {
      const tpe = new TpeSampler({ startupTrials: 0, goodFraction: 0.5 });
      const draws = Array.from({ length: 20 }, (_, seed) =>
        tpe.ask(space, { directions: ["minimize"], trials }, new Random(seed)),
      );
      return draws.filter((params) => Math.abs((params.x as number) - goodX) < 1.5).length;
    };
    // Completed trials near -3 rank before pruned ones near 3, though these reported lower values.
    const completedFirst = Array.from({ length: 20 }, (_, i) =>
      i < 10 ? completed(i, { x: -3 + i * 0.05 }, 10 + i) : pruned(i, 3 + i * 0.05, 50, 0),
    );
    expect(nearGood(completedFirst, -3)).toBeGreaterThan(15);
    // Among pruned trials, those stopped later (near 3) rank before earlier, lower ones (near -3).
    const furthestFirst = Array.from({ length: 20 }, (_, i) =>
      i < 10 ? pruned(i, -3 + i * 0.05, 10, -1) : pruned(i, 3 + i * 0.05, 100, 5),
    );
    expect(nearGood(furthestFirst, 3)).toBeGreaterThan(15);
  });

  it("refuses several objectives and bad settings with context", () => {
    const history: StudyHistory = { directions: ["minimize", "maximize"], trials: [] };
    expect(() => new TpeSampler({ startupTrials: 0 }).ask(bowl, history, new Random(0))).toThrow(
      "tpe sampler optimises one objective, the study has 2; use nsga2 for several",
    );
    expect(() => new TpeSampler({ goodFraction: 1.5 })).toThrow(
      /tpe sampler settings: .*goodFraction/s,
    );
  });
});

describe("TPE sampler with constraints", () => {
  it("ranks as Optuna's _split_trials: feasible complete, feasible pruned, infeasible by violation", () => {
    // optuna/samplers/_tpe/sampler.py, _split_trials: RUNNING trials go above; a trial whose
    // positive constraint values sum above 0 is infeasible; complete trials sort by value, pruned
    // ones by (-step, value), infeasible ones by that sum; n_below is taken in that order.
    const pruned = (number: number, step: number, value: number, constraints?: number[]) => ({
      number,
      params: { x: number },
      state: "pruned" as const,
      intermediate: [{ step, value }],
      ...(constraints ? { constraints } : {}),
    });
    const withConstraints = (trial: TrialRecord, constraints: number[]) => ({
      ...trial,
      constraints,
    });
    const history: StudyHistory = {
      directions: ["minimize"],
      trials: [
        withConstraints(completed(0, { x: 0 }, 5), [-1]),
        withConstraints(completed(1, { x: 1 }, 1), [3]), // violation 3
        withConstraints(completed(2, { x: 2 }, 3), [0]), // on the boundary: feasible
        pruned(3, 10, 0.5, [-2]),
        pruned(4, 20, 2, [1]), // violation 1
        withConstraints(completed(5, { x: 5 }, 0.1), [2, 0.5, -4]), // violation 2.5
        { number: 6, params: { x: 6 }, state: "running", intermediate: [] },
        completed(7, { x: 7 }, 4), // not known: feasible, as a trial without constraint values
        { number: 8, params: { x: 8 }, state: "failed", intermediate: [] },
      ],
    };
    const { ranked, pending } = rankTrials(history);
    expect(ranked.map((trial) => trial.number)).toEqual([2, 7, 0, 3, 4, 5, 1]);
    expect(pending.map((trial) => trial.number)).toEqual([6]);
  });

  it("models the feasible trials as good, though infeasible ones reached lower values", () => {
    const space: SearchSpace = { x: { type: "float", low: -5, high: 5 } };
    // Trials near 3 are better but broke a constraint; those near -3 are feasible.
    const trials = Array.from({ length: 20 }, (_, i) =>
      i < 10
        ? completed(i, { x: -3 + i * 0.05 }, 10 + i)
        : { ...completed(i, { x: 3 + i * 0.05 }, i - 20), constraints: [1 + i] },
    );
    const tpe = new TpeSampler({ startupTrials: 0, goodFraction: 0.5 });
    const draws = Array.from({ length: 20 }, (_, seed) =>
      tpe.ask(space, { directions: ["minimize"], trials }, new Random(seed)),
    );
    expect(
      draws.filter((params) => Math.abs((params.x as number) + 3) < 1.5).length,
    ).toBeGreaterThan(15);
  });
});
