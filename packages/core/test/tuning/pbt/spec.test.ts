// The PBT and replay specs: defaults as Ray Tune's (quantile_fraction 0.25, resample_probability
// 0.25, factors 0.8 and 1.2), and the rules that make a population trainable, each refused at its
// field with the setting's name and why.
import { describe, expect, it } from "vitest";
import { type SpecError, validateStudySpec } from "../../../src/tuning/spec.ts";

function pbtSpec(overrides: Record<string, unknown> = {}, sampler: Record<string, unknown> = {}) {
  return {
    name: "pbt",
    task: "language-modelling",
    dataset: "moby-dick",
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    fixed: { eval_every: 10 },
    searchSpace: {
      lr: { type: "float", low: 1e-4, high: 1e-1, log: true },
      weight_decay: { type: "float", low: 0, high: 0.2 },
      layers: { type: "int", low: 1, high: 3 },
    },
    sampler: {
      kind: "pbt",
      population: 4,
      perturbationInterval: 50,
      mutations: ["lr", "weight_decay"],
      ...sampler,
    },
    budget: { trials: 4, parallelTrials: 2, stepsPerTrial: 200 },
    ...overrides,
  };
}

function errors(spec: unknown): SpecError[] {
  const result = validateStudySpec(spec);
  if (result.ok) throw new Error("expected the spec to be refused");
  return result.errors;
}

describe("the pbt sampler spec", () => {
  it("takes Ray Tune's defaults", () => {
    const result = validateStudySpec(pbtSpec());
    expect(result.ok && result.spec.sampler).toEqual({
      kind: "pbt",
      population: 4,
      perturbationInterval: 50,
      quantileFraction: 0.25,
      resampleProbability: 0.25,
      perturbationFactors: [0.8, 1.2],
      mutations: ["lr", "weight_decay"],
    });
  });

  it("refuses to mutate a setting that cannot change mid-training, saying which and why", () => {
    const searchSpace = {
      lr: { type: "float", low: 1e-4, high: 1e-1, log: true },
      layers: { type: "int", low: 1, high: 3 },
      seq_len: { type: "categorical", choices: [32, 64] },
      optimizer: { type: "categorical", choices: ["adam", "sgd"] },
    };
    expect(
      errors(pbtSpec({ searchSpace }, { mutations: ["lr", "layers", "seq_len", "optimizer"] })),
    ).toEqual([
      {
        path: "sampler.mutations[1]",
        message:
          "\"layers\" cannot change mid-training: it is part of the model's architecture, which the checkpoint's weights were trained for (the number of blocks)",
      },
      {
        path: "sampler.mutations[2]",
        message:
          "\"seq_len\" cannot change mid-training: it is part of the model's architecture, which the checkpoint's weights were trained for (the position table's length), and it sets the length of every batch",
      },
      {
        path: "sampler.mutations[3]",
        message:
          "\"optimizer\" cannot change mid-training: the checkpoint's optimizer state (Adam's moments, SGD's momentum) belongs to its optimizer",
      },
    ]);
  });

  it("refuses mutations outside the search space, twice listed, or with a fixed dependent", () => {
    expect(errors(pbtSpec({}, { mutations: ["lr", "dropout", "lr"] }))).toEqual([
      { path: "sampler.mutations[1]", message: '"dropout" is not in the search space' },
      { path: "sampler.mutations[2]", message: '"lr" is listed twice' },
    ]);
    const searchSpace = {
      schedule: { type: "categorical", choices: ["cosine", "step"] },
      step_gamma: { type: "float", low: 0.1, high: 0.9, when: { schedule: ["step"] } },
    };
    expect(errors(pbtSpec({ searchSpace }, { mutations: ["schedule"] }))).toEqual([
      {
        path: "searchSpace.step_gamma.when",
        message:
          '"step_gamma" depends on "schedule", which PBT mutates, so it would change mid-training too: add it to sampler.mutations',
      },
    ]);
  });

  it("needs rounds on every member's evaluations, its population in the budget and no pruner", () => {
    expect(errors(pbtSpec({}, { perturbationInterval: 45 }))).toEqual([
      {
        path: "sampler.perturbationInterval",
        message:
          "perturbationInterval (45) must be a multiple of the evaluation interval (eval_every 10), so that every trial is evaluated there",
      },
    ]);
    // Without eval_every, trials evaluate every tenth of their steps: 20 here.
    expect(errors(pbtSpec({ fixed: {} }, { perturbationInterval: 50 }))[0]?.message).toMatch(
      /eval_every 20/,
    );
    expect(errors(pbtSpec({}, { perturbationInterval: 200 }))[0]).toEqual({
      path: "sampler.perturbationInterval",
      message: "perturbationInterval (200) must be below budget.stepsPerTrial (200)",
    });
    expect(errors(pbtSpec({ budget: { trials: 6, stepsPerTrial: 200 } }))).toEqual([
      {
        path: "budget.trials",
        message: "a PBT study trains its population, one trial per member: set budget.trials to 4",
      },
    ]);
    expect(errors(pbtSpec({ budget: { trials: 4, tokensPerTrial: 10_000 } }))[0]?.path).toBe(
      "budget.tokensPerTrial",
    );
    expect(errors(pbtSpec({ pruner: { kind: "median" } }))[0]).toEqual({
      path: "pruner.kind",
      message: "pbt pauses and resumes its trials itself: leave the pruner out (kind none)",
    });
    const searched = pbtSpec(
      {
        fixed: {},
        searchSpace: {
          lr: { type: "float", low: 1e-4, high: 1e-1, log: true },
          eval_every: { type: "categorical", choices: [10, 25] },
        },
      },
      { mutations: ["lr"] },
    );
    expect(errors(searched).map((error) => error.path)).toContain("searchSpace.eval_every");
    expect(
      errors(
        pbtSpec({
          objectives: [
            { metric: "val_loss", direction: "minimize" },
            { metric: "param_count", direction: "minimize" },
          ],
        }),
      )[0]?.path,
    ).toBe("sampler.kind");
  });
});

describe("the pbt-replay sampler spec", () => {
  const replay = (schedule: unknown[], overrides: Record<string, unknown> = {}) =>
    pbtSpec({
      sampler: { kind: "pbt-replay", schedule },
      budget: { trials: 1, stepsPerTrial: 200 },
      ...overrides,
    });

  it("accepts a schedule of steps and parameters that only change what may change", () => {
    const result = validateStudySpec(
      replay([
        { step: 0, params: { lr: 0.01, weight_decay: 0.1, layers: 2 } },
        { step: 50, params: { lr: 0.008 } },
        { step: 100, params: { lr: 0.0064, weight_decay: 0.08, layers: 2 } },
      ]),
    );
    expect(result.ok).toBe(true);
  });

  it("refuses steps out of order or off the evaluations, and values outside the space", () => {
    expect(
      errors(
        replay([
          { step: 10, params: { lr: 0.01 } },
          { step: 5, params: { lr: 0.02 } },
          { step: 55, params: { lr: 0.5 } },
          { step: 250, params: { lr: 0.01 } },
        ]),
      ),
    ).toEqual([
      { path: "sampler.schedule[0].step", message: "the first entry must be at step 0" },
      { path: "sampler.schedule[1].step", message: "steps must ascend: 5 follows 10" },
      {
        path: "sampler.schedule[2].step",
        message:
          "a schedule step (55) must be a multiple of the evaluation interval (eval_every 10), so that every trial is evaluated there",
      },
      {
        path: "sampler.schedule[2].params.lr",
        message: '0.5 is not a value "lr" can take in the search space',
      },
      {
        path: "sampler.schedule[3].step",
        message: "a schedule step (250) must be below budget.stepsPerTrial (200)",
      },
    ]);
  });

  it("refuses a change of a setting that cannot change mid-training", () => {
    expect(
      errors(
        replay([
          { step: 0, params: { lr: 0.01, layers: 2 } },
          { step: 50, params: { lr: 0.008, layers: 3 } },
        ]),
      ),
    ).toEqual([
      {
        path: "sampler.schedule[1].params.layers",
        message:
          "\"layers\" changes from 2 to 3, but it cannot change mid-training: it is part of the model's architecture, which the checkpoint's weights were trained for (the number of blocks)",
      },
    ]);
  });
});
