import { describe, expect, it } from "vitest";
import { askWithinConstraints } from "../../../src/tuning/constraints/ask.ts";
import { settingCheck } from "../../../src/tuning/constraints/study-constraints.ts";
import { enumerateGrid, GridSampler } from "../../../src/tuning/samplers/grid.ts";
import { RandomSampler } from "../../../src/tuning/samplers/random.ts";
import { randomForTrial, type Sampler } from "../../../src/tuning/samplers/sampler.ts";
import { TpeSampler } from "../../../src/tuning/samplers/tpe.ts";
import type { SearchSpace } from "../../../src/tuning/space.ts";
import { type StudySpecInput, validateStudySpec } from "../../../src/tuning/spec.ts";
import type { Params, StudyHistory } from "../../../src/tuning/types.ts";

const searchSpace: SearchSpace = {
  d_model: { type: "int", low: 32, high: 256, step: 32 },
  heads: { type: "categorical", choices: [1, 2, 3, 4, 5, 6, 7, 8] },
  batch_size: { type: "int", low: 8, high: 64, step: 8 },
};

/** The setting check of a study over searchSpace with these constraints (seq_len fixed at 64). */
function check(constraints: string[], space: SearchSpace = searchSpace) {
  const spec: StudySpecInput = {
    name: "constrained",
    task: "language-modelling",
    dataset: "moby-dick",
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    fixed: { seq_len: 64 },
    searchSpace: space,
    constraints,
    sampler: { kind: "random" },
    budget: { trials: 10, stepsPerTrial: 10 },
  };
  const result = validateStudySpec(spec);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const broken = settingCheck(result.spec);
  if (broken === undefined) throw new Error("expected setting constraints");
  return broken;
}

const CONSTRAINTS = ["d_model % heads == 0", "batch_size * seq_len <= 2048"];
const meets = (params: Params) =>
  (params.d_model as number) % (params.heads as number) === 0 &&
  (params.batch_size as number) * 64 <= 2048;

/** A study of `trials` asks within the constraints, each completed with a made-up loss. */
function study(sampler: Sampler, trials: number, seed: number): StudyHistory {
  const broken = check(CONSTRAINTS);
  const history: StudyHistory = { directions: ["minimize"], trials: [] };
  for (let number = 0; number < trials; number++) {
    const random = randomForTrial(seed, number);
    const asked = askWithinConstraints(sampler, searchSpace, history, random, broken);
    if (!asked.ok) throw new Error(asked.problem);
    const { params } = asked;
    const loss = Math.abs((params.d_model as number) - 200) + (params.batch_size as number);
    history.trials.push({ number, params, state: "completed", values: [loss], intermediate: [] });
  }
  return history;
}

describe("asking within setting constraints", () => {
  it("never hands out settings that break one, with random search and TPE", () => {
    for (const seed of [0, 1]) {
      for (const sampler of [new RandomSampler(), new TpeSampler({ startupTrials: 10 })]) {
        const history = study(sampler, 60, seed);
        expect(history.trials.filter((trial) => !meets(trial.params))).toEqual([]);
        // It searched: not one point over and over.
        const points = new Set(history.trials.map((trial) => JSON.stringify(trial.params)));
        expect(points.size).toBeGreaterThan(10);
      }
    }
  });

  it("gives up after its draws, naming the constraints broken and how often", () => {
    const broken = check(["d_model > 1000", "heads <= 4"]);
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    const asked = askWithinConstraints(
      new RandomSampler(),
      searchSpace,
      history,
      randomForTrial(1, 0),
      broken,
      { sampler: 5, random: 15 },
    );
    expect(asked.ok).toBe(false);
    if (asked.ok) return;
    expect(asked.problem).toMatch(
      /^none of 5 draws of the random sampler and 15 of random search met the constraints: "d_model > 1000" \(broken by 20\), "heads <= 4" \(broken by \d+\)$/,
    );
  });

  it("lets a grid hand out each feasible point once and skip the rest", () => {
    const feasible = enumerateGrid(searchSpace).filter(meets);
    const broken = check(CONSTRAINTS);
    const grid = new GridSampler({}, undefined, (params) => broken(params).length === 0);
    const history = study(grid, feasible.length, 3);
    expect(new Set(history.trials.map((trial) => JSON.stringify(trial.params))).size).toBe(
      feasible.length,
    );
    expect(() => grid.ask(searchSpace, history, randomForTrial(3, 999))).toThrow(
      `grid sampler exhausted: all 512 points of the grid have trials or break the study's constraints`,
    );
  });

  it("finds the few feasible points of a 100,000-point grid", () => {
    const digits: SearchSpace = Object.fromEntries(
      ["a", "b", "c", "d", "e"].map((name) => [name, { type: "int", low: 0, high: 9 }]),
    );
    const broken = check(["a + b + c + d + e <= 1"], digits);
    const grid = new GridSampler({}, undefined, (params) => broken(params).length === 0);
    const history: StudyHistory = { directions: ["minimize"], trials: [] };
    for (let number = 0; number < 6; number++) {
      const params = grid.ask(digits, history, randomForTrial(5, number));
      history.trials.push({ number, params, state: "running", intermediate: [] });
    }
    const sums = history.trials.map((trial) =>
      Object.values(trial.params).reduce<number>((sum, value) => sum + (value as number), 0),
    );
    expect(sums.sort()).toEqual([0, 1, 1, 1, 1, 1]);
    expect(() => grid.ask(digits, history, randomForTrial(5, 6))).toThrow(/exhausted/);
  });
});
