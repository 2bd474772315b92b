// The CMA-ES sampler's replay of a history: which trials make a generation, what a trial is drawn
// from, and how failed, pruned and pending trials count.
import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { CmaEsSampler, modelledParams } from "../../src/tuning/samplers/cmaes.ts";
import { RandomSampler } from "../../src/tuning/samplers/random.ts";
import { randomForTrial } from "../../src/tuning/samplers/sampler.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { Params, StudyHistory, TrialRecord, TrialState } from "../../src/tuning/types.ts";
import { expectClose, type ReferenceState, reference } from "./cmaes-reference.ts";
import { runStudy } from "./run-study.ts";

// cmaes' reference run started at mean m with σ 0.2; a space of ranges [m - 0.5, m + 0.5] puts m at
// the centre of the unit cube, where the sampler starts, and maps a value v to v - m + 0.5.
const referenceMean = reference.update.start.mean;
const referenceSpace: SearchSpace = Object.fromEntries(
  referenceMean.map((m, i) => [`x${i}`, { type: "float", low: m - 0.5, high: m + 0.5 }]),
);
const toParams = (x: number[]): Params => Object.fromEntries(x.map((v, i) => [`x${i}`, v]));

function trial(number: number, params: Params, state: TrialState, value?: number): TrialRecord {
  return {
    number,
    params,
    state,
    ...(value === undefined ? {} : { values: [value] }),
    intermediate: [],
  };
}

/** The reference generations as consecutive completed trials, with extra ones spliced in. */
function referenceHistory(extra: (number: number) => TrialRecord | undefined): StudyHistory {
  const trials: TrialRecord[] = [];
  for (const { solutions } of reference.update.generations) {
    for (const { x, value } of solutions) {
      for (let spliced = extra(trials.length); spliced; spliced = extra(trials.length)) {
        trials.push(spliced);
      }
      trials.push(trial(trials.length, toParams(x), "completed", value));
    }
  }
  return { directions: ["minimize"], trials };
}

function expectState(sampler: CmaEsSampler, history: StudyHistory, expected: ReferenceState) {
  const { state, index } = sampler.currentGeneration(referenceSpace, history);
  expect(index).toBe(reference.update.generations.length);
  expectClose(
    state.mean,
    expected.mean.map((m, i) => m - (referenceMean[i] as number) + 0.5),
  );
  expectClose(state.sigma, expected.sigma);
  expectClose(state.cov.flat(), expected.cov.flat());
  expectClose(state.pSigma, expected.pSigma);
  expectClose(state.pc, expected.pc);
}

const sphere: SearchSpace = {
  x: { type: "float", low: -1, high: 1 },
  y: { type: "float", low: -1, high: 1 },
};
const sphereValue = (params: Params) => [(params.x as number) ** 2 + (params.y as number) ** 2];

describe("CMA-ES sampler replay", () => {
  const last = reference.update.generations.at(-1)?.after as ReferenceState;

  it("rebuilds cmaes' state from a history of three generations of completed trials", () => {
    expectState(
      new CmaEsSampler({ sigma0: 0.2 }),
      referenceHistory(() => undefined),
      last,
    );
  });

  it("replaces failed, cancelled and pruned trials by the next trial, as Optuna resamples", () => {
    const other = toParams([0.1, 0.2, 0.3]);
    const spliced = new Map<number, TrialRecord>([
      [2, trial(2, other, "failed")],
      [3, trial(3, other, "cancelled")],
      [9, { ...trial(9, other, "pruned"), intermediate: [{ step: 10, value: -5 }] }],
      [16, trial(16, other, "completed", Number.NaN)],
    ]);
    const history = referenceHistory((number) => spliced.get(number));
    expectState(new CmaEsSampler({ sigma0: 0.2 }), history, last);
  });

  it("counts a pruned trial with its last report only when asked to", () => {
    const sampler = new CmaEsSampler({ considerPrunedTrials: true });
    const values = [3, 1, 2, 5, 4, 6];
    const history: StudyHistory = {
      directions: ["minimize"],
      trials: values.map((value, number) =>
        trial(number, { x: 0.1 * number, y: 0 }, "completed", value),
      ),
    };
    const withPruned = structuredClone(history);
    withPruned.trials[1] = {
      ...trial(1, { x: 0.1, y: 0 }, "pruned"),
      intermediate: [
        { step: 1, value: 9 },
        { step: 2, value: 1 },
      ],
    };
    const closed = (h: StudyHistory, s: CmaEsSampler) => s.currentGeneration(sphere, h);
    expect(closed(withPruned, sampler).state).toEqual(closed(history, sampler).state);
    expect(closed(withPruned, new CmaEsSampler()).index).toBe(0);
  });

  it("maximises by minimising the negated values", () => {
    const history = referenceHistory(() => undefined);
    const negated: StudyHistory = {
      directions: ["maximize"],
      trials: history.trials.map((t) => ({ ...t, values: [-(t.values?.[0] as number)] })),
    };
    expectState(new CmaEsSampler({ sigma0: 0.2 }), negated, last);
  });

  it("holds a generation open while one of its trials may still complete", () => {
    const sampler = new CmaEsSampler({}, 4);
    const history = runStudy(sampler, sphere, sphereValue, 6, 4);
    (history.trials[2] as TrialRecord).state = "running";
    const open = sampler.currentGeneration(sphere, history);
    expect([open.index, open.start]).toEqual([0, 0]);
    // Later trials are more candidates of the open generation.
    const next = sampler.ask(sphere, history, randomForTrial(4, 6));
    const [x, y] = sampler.candidate(open, 6);
    expect(next).toEqual({ x: -1 + 2 * (x as number), y: -1 + 2 * (y as number) });
    (history.trials[2] as TrialRecord).state = "completed";
    const closed = sampler.currentGeneration(sphere, history);
    expect([closed.index, closed.start]).toEqual([1, 6]);
  });

  it("gives a trial the same parameters however the other trials of its generation stand", () => {
    const sampler = new CmaEsSampler({}, 11);
    // Three closed generations of 6 and three trials of the fourth.
    const history = runStudy(sampler, sphere, sphereValue, 21, 11);
    const ask = () => sampler.ask(sphere, history, randomForTrial(11, 21));
    const expected = ask();
    const states: TrialState[] = ["queued", "running", "completed", "failed", "pruned"];
    const random = new Random(1);
    for (let attempt = 0; attempt < 20; attempt++) {
      for (const t of history.trials.slice(18)) t.state = random.choice(states);
      expect(ask()).toEqual(expected);
    }
  });

  it("starts after startupTrials random trials, and leaves categorical and conditional ones random", () => {
    const space: SearchSpace = {
      ...sphere,
      kind: { type: "categorical", choices: ["a", "b"] },
      z: { type: "float", low: 0, high: 1, when: { kind: ["a"] } },
    };
    expect(modelledParams(space)).toEqual(["x", "y"]);
    const sampler = new CmaEsSampler({ startupTrials: 3 }, 2);
    const history = runStudy(sampler, space, sphereValue, 3, 2);
    const random = new RandomSampler();
    history.trials.forEach((t) => {
      expect(t.params).toEqual(random.ask(space, history, randomForTrial(2, t.number)));
    });
    const generation = sampler.currentGeneration(space, history);
    expect([generation.index, generation.start]).toEqual([0, 3]);
    const params = sampler.ask(space, history, randomForTrial(2, 3));
    const [x] = sampler.candidate(generation, 0);
    expect(params.x).toBe(-1 + 2 * (x as number));
    const kinds = new Set(
      runStudy(sampler, space, sphereValue, 30, 2).trials.map((t) => t.params.kind),
    );
    expect(kinds).toEqual(new Set(["a", "b"]));
  });

  it("refuses several objectives and bad settings with context", () => {
    const history: StudyHistory = { directions: ["minimize", "minimize"], trials: [] };
    expect(() => new CmaEsSampler().ask(sphere, history, new Random(0))).toThrow(
      "cmaes sampler optimises one objective, the study has 2; use nsga2 for several",
    );
    expect(() => new CmaEsSampler({ popsize: 1 })).toThrow(/cmaes sampler settings: .*popsize/s);
  });
});
