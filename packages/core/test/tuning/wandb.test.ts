import { describe, expect, it } from "vitest";
import { importWandbSweep } from "../../src/tuning/wandb.ts";
import { BUDGET, expectCompletes, importFixture, NO_SETTING } from "./wandb-import.ts";

describe("W&B sweep importer", () => {
  it("maps the quickstart's random sweep, inferring distributions as W&B does", () => {
    const imported = importFixture("random-quickstart.yaml");
    expect(imported.spec).toEqual({
      name: "sweep",
      objectives: [{ metric: "validation_loss", direction: "minimize" }],
      fixed: {},
      searchSpace: {
        batch_size: { type: "categorical", choices: [16, 32, 64] },
        lr: { type: "float", low: 0.0001, high: 0.1 },
      },
      sampler: { kind: "random" },
      budget: { trials: 30 },
    });
    expect(imported.warnings).toEqual([
      '"program" is not mapped: it configures W&B\'s agent, not the search',
      `parameter "epochs" is left out: ${BUDGET}`,
    ]);
    expectCompletes(imported);
  });

  it("maps bayes to TPE, log distributions (natural-log bounds too) and hyperband", () => {
    const imported = importFixture("bayes-hyperband.yaml");
    expect(imported.spec.objectives).toEqual([{ metric: "val_acc", direction: "maximize" }]);
    expect(imported.spec.sampler).toEqual({ kind: "tpe" });
    const space = imported.spec.searchSpace;
    expect(space.lr).toEqual({ type: "float", low: 0.0001, high: 0.1, log: true });
    expect(space.weight_decay).toMatchObject({ type: "float", log: true });
    expect(space.weight_decay).toMatchObject({
      low: expect.closeTo(Math.exp(-9.21), 12),
      high: expect.closeTo(Math.exp(-2.3), 12),
    });
    expect(space.dropout).toEqual({ type: "float", low: 0.1, high: 0.5, step: 0.1 });
    expect(space.hidden_layers).toBeUndefined();
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
      "learning_rate is mapped to lr",
      `parameter "hidden_layers" is left out: ${NO_SETTING}`,
      "method bayes (a Gaussian process in W&B) is mapped to the TPE sampler",
      "metric.target is not mapped: the study runs its whole budget",
      "early_terminate has no max_iter (W&B's brackets go on): maxResource set to min_iter·eta³ = 24; set it to a full trial's steps",
      "W&B counts hyperband iterations as logged values of the metric; minResource and maxResource are training steps here: check them",
    ]);
    expectCompletes(imported);
  });

  it("maps a grid with nested parameters by their names, and constants to fixed settings", () => {
    const imported = importFixture("grid-nested.yaml");
    expect(imported.spec.sampler).toEqual({ kind: "grid" });
    expect(imported.spec.fixed).toEqual({ momentum: 0.9 });
    expect(imported.spec.searchSpace).toEqual({
      layers: { type: "categorical", choices: [1, 2, 3] },
      optimizer: { type: "categorical", choices: ["adam", "sgd"] },
      activation: { type: "categorical", choices: ["relu", "gelu"] },
    });
    expect(imported.warnings).toEqual([
      `parameter "epochs" is left out: ${BUDGET}`,
      "optimizer.name is mapped to optimizer",
      "optimizer.momentum is mapped to momentum",
    ]);
    expectCompletes(imported);
  });

  it("maps or approximates every distribution and reports all it could not map", () => {
    const imported = importFixture("distributions.yaml");
    const space = imported.spec.searchSpace;
    expect(imported.spec.fixed).toEqual({ lr: 0.001 });
    // min: 0.0 / max: 1.0 are floats in YAML: uniform, not int_uniform.
    expect(space.grad_clip).toEqual({ type: "float", low: 0, high: 1 });
    expect(space.layers).toEqual({ type: "int", low: 2, high: 8 });
    expect(space.weight_decay).toEqual({ type: "float", low: 0.1, high: 1, step: 0.1 });
    expect(space.min_lr).toEqual({ type: "float", low: 0.00001, high: 0.01, log: true });
    expect(space.epsilon).toMatchObject({
      low: expect.closeTo(Math.exp(-9.2), 12),
      high: expect.closeTo(Math.exp(-2.3), 12),
      log: true,
    });
    expect(space.batch_size).toEqual({ type: "int", low: 16, high: 256, log: true });
    expect(space.pct_start).toEqual({ type: "float", low: 0.01, high: 0.1, log: true });
    expect(space.dropout).toEqual({ type: "float", low: 0.01, high: 0.03 });
    expect(space.decay_rate).toMatchObject({ low: expect.closeTo(Math.exp(-6), 9), log: true });
    expect(space.beta1).toEqual({ type: "float", low: 0, high: 0.2, step: 0.05 });
    expect(space.activation).toEqual({ type: "categorical", choices: ["relu", "gelu", "swiglu"] });
    expect(space.eval_windows).toEqual({ type: "categorical", choices: [64, 128] });
    for (const skipped of ["heads", "beta2", "momentum", "warmup_steps", "label_smoothing"]) {
      expect(Object.keys(space)).not.toContain(skipped);
    }
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
      'parameter "weight_decay": range [0.05, 1] narrowed to the multiples of q=0.1: [0.1, 1]',
      'parameter "pct_start": a step cannot be combined with a log scale: q=0.01 is dropped, values are not rounded',
      'parameter "dropout": normal is unbounded: approximated by the range of mu ± 2 sigma, [0.01, 0.03]',
      'parameter "decay_rate": log_normal is unbounded: approximated by the range of mu ± 2 sigma, [0.00247875217667, 0.135335283237]',
      'parameter "beta1": q_normal is unbounded: approximated by the range of mu ± 2 sigma, [0, 0.2]',
      'parameter "activation": probabilities are not mapped: every choice is equally likely to the samplers',
      'parameter "heads": values other than numbers, strings and booleans (lists, maps, null) cannot be choices: skipped',
      'parameter "momentum": distribution "beta" is not supported: skipped',
      `parameter "label_smoothing" is left out: ${NO_SETTING}`,
      'parameter "beta2" skipped: low (5) must be below high (1)',
      'parameter "eval_windows": 0 is left out: Too small: expected number to be >=1, got 0 (eval_windows: Language modelling: validation windows per evaluation, spread over the validation text.)',
      'parameter "warmup_steps" is left out: warmup_steps takes whole numbers: search it with type: int',
      "early_terminate.strict is not mapped: the hyperband pruner has one rule",
      "W&B counts hyperband iterations as logged values of the metric; minResource and maxResource are training steps here: check them",
    ]);
    expectCompletes(imported);
  });

  it("reads JSON sweeps and says what is missing", () => {
    const imported = importFixture("sweep.json");
    expect(imported.spec.sampler).toEqual({ kind: "tpe" });
    expect(imported.spec.searchSpace.lr).toEqual({ type: "float", low: 0.0001, high: 0.1 });
    expect(imported.spec.searchSpace.epochs).toBeUndefined();
    expect(imported.warnings).toContain("no usable run_cap: set budget.trials");
    expectCompletes(imported);
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
