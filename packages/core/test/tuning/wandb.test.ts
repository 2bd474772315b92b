import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateStudySpec } from "../../src/tuning/spec.ts";
import { importWandbSweep, type WandbImport } from "../../src/tuning/wandb.ts";

function importFixture(name: string): WandbImport {
  const text = readFileSync(new URL(`./fixtures/wandb/${name}`, import.meta.url), "utf8");
  return importWandbSweep(text);
}

/** An imported sweep plus what only the user knows makes a study spec that validates. */
function completeSpec({ spec }: WandbImport) {
  return validateStudySpec({
    name: "imported",
    task: "classification",
    dataset: "spam",
    ...spec,
    budget: { trials: 20, ...spec.budget, stepsPerTrial: 1000 },
  });
}

describe("W&B sweep importer", () => {
  it("maps the quickstart's random sweep, inferring distributions as W&B does", () => {
    const imported = importFixture("random-quickstart.yaml");
    expect(imported.spec).toEqual({
      name: "sweep",
      objectives: [{ metric: "validation_loss", direction: "minimize" }],
      fixed: {},
      searchSpace: {
        batch_size: { type: "categorical", choices: [16, 32, 64] },
        epochs: { type: "categorical", choices: [5, 10, 15] },
        lr: { type: "float", low: 0.0001, high: 0.1 },
      },
      sampler: { kind: "random" },
      budget: { trials: 30 },
    });
    expect(imported.warnings).toEqual([
      '"program" is not mapped: it configures W&B\'s agent, not the search',
    ]);
    expect(completeSpec(imported).ok).toBe(true);
  });

  it("maps bayes to TPE, log distributions (natural-log bounds too) and hyperband", () => {
    const imported = importFixture("bayes-hyperband.yaml");
    expect(imported.spec.objectives).toEqual([{ metric: "val_acc", direction: "maximize" }]);
    expect(imported.spec.sampler).toEqual({ kind: "tpe" });
    const space = imported.spec.searchSpace;
    expect(space.learning_rate).toEqual({ type: "float", low: 0.0001, high: 0.1, log: true });
    expect(space.weight_decay).toMatchObject({ type: "float", log: true });
    expect(space.weight_decay).toMatchObject({
      low: expect.closeTo(Math.exp(-9.21), 12),
      high: expect.closeTo(Math.exp(-2.3), 12),
    });
    expect(space.dropout).toEqual({ type: "float", low: 0.1, high: 0.5, step: 0.1 });
    expect(space.hidden_layers).toEqual({ type: "int", low: 1, high: 4 });
    expect(space.optimizer).toEqual({ type: "categorical", choices: ["adam", "sgd"] });
    expect(imported.spec.pruner).toEqual({
      kind: "hyperband",
      minResource: 3,
      maxResource: 24,
      reductionFactor: 2,
    });
    expect(imported.spec.budget).toEqual({ trials: 50 });
    expect(imported.warnings).toEqual([
      '"program" is not mapped: it configures W&B\'s agent, not the search',
      "method bayes (a Gaussian process in W&B) is mapped to the TPE sampler",
      "metric.target is not mapped: the study runs its whole budget",
      "early_terminate has no max_iter (W&B's brackets go on): maxResource set to min_iter·eta³ = 24; set it to a full trial's steps",
      "W&B counts hyperband iterations as logged values of the metric; minResource and maxResource are training steps here: check them",
    ]);
    expect(completeSpec(imported).ok).toBe(true);
  });

  it("maps a grid with nested parameters to dotted names and constants to fixed settings", () => {
    const imported = importFixture("grid-nested.yaml");
    expect(imported.spec.sampler).toEqual({ kind: "grid" });
    expect(imported.spec.fixed).toEqual({ epochs: 10, "optimizer.momentum": 0.9 });
    expect(imported.spec.searchSpace).toEqual({
      layers: { type: "categorical", choices: [1, 2, 3] },
      "optimizer.name": { type: "categorical", choices: ["adam", "sgd"] },
      activation: { type: "categorical", choices: ["relu", "gelu"] },
    });
    expect(imported.warnings).toEqual([]);
    expect(completeSpec(imported).ok).toBe(true);
  });

  it("maps or approximates every distribution and reports all it could not map", () => {
    const imported = importFixture("distributions.yaml");
    const space = imported.spec.searchSpace;
    expect(imported.spec.fixed).toEqual({ constant_lr: 0.001 });
    // min: 0.0 / max: 1.0 are floats in YAML: uniform, not int_uniform.
    expect(space.uniform_float).toEqual({ type: "float", low: 0, high: 1 });
    expect(space.int_range).toEqual({ type: "int", low: 2, high: 8 });
    expect(space.q_uniform_range).toEqual({ type: "float", low: 0.1, high: 1, step: 0.1 });
    expect(space.inv_lr).toEqual({ type: "float", low: 0.00001, high: 0.01, log: true });
    expect(space.inv_log).toMatchObject({
      low: expect.closeTo(Math.exp(-9.2), 12),
      high: expect.closeTo(Math.exp(-2.3), 12),
      log: true,
    });
    expect(space.batch_size).toEqual({ type: "int", low: 16, high: 256, log: true });
    expect(space.warmup_fraction).toEqual({ type: "float", low: 0.01, high: 0.1, log: true });
    expect(space.init_scale).toEqual({ type: "float", low: 0.01, high: 0.03 });
    expect(space.noise).toMatchObject({ low: expect.closeTo(Math.exp(-6), 9), log: true });
    expect(space.label_smoothing).toEqual({ type: "float", low: 0, high: 0.2, step: 0.05 });
    expect(space.weighted_choice).toEqual({ type: "categorical", choices: ["a", "b", "c"] });
    expect(Object.keys(space)).not.toContain("layer_sizes");
    expect(Object.keys(space)).not.toContain("broken");
    expect(Object.keys(space)).not.toContain("mystery");
    expect(imported.spec.pruner).toEqual({
      kind: "hyperband",
      minResource: 3,
      maxResource: 27,
      reductionFactor: 3,
    });
    expect(imported.warnings).toEqual([
      '"program" is not mapped: it configures W&B\'s agent, not the search',
      '"entity" is not mapped: it configures W&B\'s agent, not the search',
      '"project" is not mapped: it configures W&B\'s agent, not the search',
      '"description" is not mapped: it configures W&B\'s agent, not the search',
      '"command" is not mapped: it configures W&B\'s agent, not the search',
      'parameter "q_uniform_range": range [0.05, 1] narrowed to the multiples of q=0.1: [0.1, 1]',
      'parameter "warmup_fraction": a step cannot be combined with a log scale: q=0.01 is dropped, values are not rounded',
      'parameter "init_scale": normal is unbounded: approximated by the range of mu ± 2 sigma, [0.01, 0.03]',
      'parameter "noise": log_normal is unbounded: approximated by the range of mu ± 2 sigma, [0.00247875217667, 0.135335283237]',
      'parameter "label_smoothing": q_normal is unbounded: approximated by the range of mu ± 2 sigma, [0, 0.2]',
      'parameter "weighted_choice": probabilities are not mapped: every choice is equally likely to the samplers',
      'parameter "layer_sizes": values other than numbers, strings and booleans (lists, maps, null) cannot be choices: skipped',
      'parameter "mystery": distribution "beta" is not supported: skipped',
      'parameter "broken" skipped: low (5) must be below high (1)',
      "early_terminate.strict is not mapped: the hyperband pruner has one rule",
      "W&B counts hyperband iterations as logged values of the metric; minResource and maxResource are training steps here: check them",
    ]);
    expect(completeSpec(imported).ok).toBe(true);
  });

  it("reads JSON sweeps and says what is missing", () => {
    const imported = importFixture("sweep.json");
    expect(imported.spec.sampler).toEqual({ kind: "tpe" });
    expect(imported.spec.searchSpace.lr).toEqual({ type: "float", low: 0.0001, high: 0.1 });
    expect(imported.warnings).toContain("no usable run_cap: set budget.trials");
    expect(completeSpec(imported).ok).toBe(true);
  });

  it("warns about grids W&B could not run either, and refuses what is not a sweep", () => {
    const grid = importWandbSweep(
      "method: grid\nparameters:\n  lr: {min: 0.001, max: 0.1}\nrun_cap: 4\n",
    );
    expect(grid.warnings).toEqual([
      'grid sampler: float parameter "lr" has no step; give it a step or set the sampler\'s gridPoints (W&B would not run this grid either)',
      "no metric name: set the study's objectives",
    ]);
    expect(() => importWandbSweep("method: [")).toThrow(
      "W&B sweep config is not valid YAML or JSON",
    );
    expect(() => importWandbSweep("- 1\n- 2")).toThrow(
      "W&B sweep config must be a mapping of keys",
    );
    expect(() => importWandbSweep("method: random")).toThrow(
      "W&B sweep config has no `parameters` mapping to import",
    );
  });
});
