import { describe, expect, it } from "vitest";
import { gptConfigSchema, parameterCount } from "../../src/model/config.ts";
import { modelSizeProblem, trialFootprint } from "../../src/trial/cost.ts";
import { defaultStudyLimits, studyLimitsFromEnv } from "../../src/tuning/limits.ts";
import { gridSize } from "../../src/tuning/samplers/grid.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import { parseStudySpec, type StudySpec } from "../../src/tuning/spec.ts";
import { limitErrors } from "../../src/tuning/spec-limits.ts";

function spec(extra: string): StudySpec {
  const result = parseStudySpec(`name: bounded
task: language-modelling
dataset: moby-dick
objectives: [{ metric: val_loss, direction: minimize }]
budget: { trials: 8, stepsPerTrial: 100 }
${extra}`);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

const lr = "lr: { type: float, low: 0.0001, high: 0.01, log: true }";

describe("study limits", () => {
  it("come from the environment, defaults for the rest, and name a bad variable", () => {
    expect(studyLimitsFromEnv({})).toEqual(defaultStudyLimits);
    expect(
      studyLimitsFromEnv({ ATTUNE_MAX_TRIALS: "50", ATTUNE_MAX_TRIAL_MEMORY_GIB: "0.5" }),
    ).toMatchObject({ trials: 50, trialMemoryGiB: 0.5, gridPoints: 100_000 });
    expect(() => studyLimitsFromEnv({ ATTUNE_MAX_GRID_POINTS: "many" })).toThrow(
      'invalid study limits: ATTUNE_MAX_GRID_POINTS="many"',
    );
  });

  it("bound the budget", () => {
    const huge = spec(`sampler: { kind: random }
searchSpace: { ${lr} }`);
    huge.budget = { trials: 1_000_000, parallelTrials: 1_000_000, tokensPerTrial: 1e12 };
    expect(limitErrors(huge, defaultStudyLimits)).toEqual([
      {
        path: "budget.trials",
        message: "1,000,000 is above the limit of 10,000 (ATTUNE_MAX_TRIALS)",
      },
      {
        path: "budget.parallelTrials",
        message: "1,000,000 is above the limit of 256 (ATTUNE_MAX_PARALLEL_TRIALS)",
      },
      {
        path: "budget.tokensPerTrial",
        message:
          "1,000,000,000,000 is above the limit of 10,000,000,000 (ATTUNE_MAX_TOKENS_PER_TRIAL)",
      },
    ]);
  });

  it("count a huge grid as a product, at once, and refuse it", () => {
    const started = performance.now();
    const grid = spec(`sampler: { kind: grid }
searchSpace: { batch_size: { type: int, low: 1, high: 5000000 } }`);
    expect(limitErrors(grid, defaultStudyLimits)).toEqual([
      {
        path: "sampler",
        message:
          "the grid comes to 5,000,000 points, above the limit of 100,000 (ATTUNE_MAX_GRID_POINTS): use fewer values, fewer gridPoints or another sampler",
      },
    ]);
    const spread = spec(`sampler: { kind: grid, gridPoints: 3000000 }
searchSpace: { ${lr} }`);
    expect(limitErrors(spread, defaultStudyLimits)[0]?.message).toMatch(
      /^the grid comes to 3,000,000/,
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("count conditional grids exactly", () => {
    const space: SearchSpace = {
      schedule: { type: "categorical", choices: ["cosine", "step"] },
      step_size: { type: "int", low: 1, high: 1000, when: { schedule: ["step"] } },
      layers: { type: "int", low: 1, high: 4 },
    };
    // cosine × 4 layers + step × 1000 step sizes × 4 layers.
    expect(gridSize(space, undefined, 100_000)).toBe(4 + 4000);
    // A parent too large to list stops the count once it passes the limit.
    const wide: SearchSpace = {
      width: { type: "int", low: 1, high: 5_000_000 },
      dropout: { type: "float", low: 0, high: 0.5, step: 0.1, when: { width: [64] } },
    };
    expect(gridSize(wide, undefined, 100_000)).toBe(5_000_000);
  });

  it("refuse a spec whose smallest trial's model is too large, giving its size", () => {
    const wide = spec(`sampler: { kind: random }
fixed: { d_model: 65536, heads: 1, layers: 1 }
searchSpace: { ${lr} }`);
    expect(limitErrors(wide, defaultStudyLimits)).toEqual([
      {
        path: "fixed",
        message:
          "even the smallest trial is too large: the model has 51,561,562,112 parameters and training it takes about 772.3 GiB, above the limit of 200,000,000 parameters (ATTUNE_MAX_MODEL_PARAMETERS)",
      },
    ]);
    const long = spec(`sampler: { kind: random }
fixed: { seq_len: 1000000 }
searchSpace: { ${lr}, batch_size: { type: int, low: 8, high: 64 } }`);
    expect(limitErrors(long, defaultStudyLimits)[0]?.message).toMatch(
      /the model has 128,[\d,]+ parameters and training it takes about [\d,.]+ GiB, above the limit of 8 GiB \(ATTUNE_MAX_TRIAL_MEMORY_GIB\)$/,
    );
    // Searched up to a large model, but not from one: trials are checked as they are sampled.
    const searched = spec(`sampler: { kind: random }
searchSpace: { ${lr}, layers: { type: int, low: 1, high: 1000 } }`);
    expect(limitErrors(searched, defaultStudyLimits)).toEqual([]);
    expect(modelSizeProblem({ layers: 1000 }, defaultStudyLimits)).toMatch(
      /^the model has 198,[\d,]+ parameters and training it takes about [\d.]+ GiB, above the limit of 8 GiB/,
    );
  });

  it("estimate the reference model's footprint from its exact parameter count", () => {
    const model = gptConfigSchema.parse({
      vocabSize: 65,
      seqLen: 64,
      layers: 2,
      dModel: 128,
      heads: 4,
    });
    const { parameters, memoryBytes } = trialFootprint(model, 16);
    expect(parameters).toBe(parameterCount(model));
    // Weights, gradients and Adam's moments, plus the activations of 16 × 64 tokens: tens of MB.
    expect(memoryBytes / 2 ** 20).toBeGreaterThan(20);
    expect(memoryBytes / 2 ** 20).toBeLessThan(40);
  });
});
