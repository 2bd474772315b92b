import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingErrors } from "../../src/trial/setting-errors.ts";
import { validateStudySpec } from "../../src/tuning/spec.ts";
import { importWandbSweep, type WandbImport } from "../../src/tuning/wandb.ts";

function importFixture(name: string): WandbImport {
  const text = readFileSync(new URL(`./fixtures/wandb/${name}`, import.meta.url), "utf8");
  return importWandbSweep(text);
}

/**
 * An imported sweep plus what only the user knows makes a study spec that validates, whose every
 * fixed setting and parameter the trainer takes.
 */
function expectCompletes({ spec }: WandbImport, study: object = { task: "classification" }) {
  const result = validateStudySpec({
    name: "imported",
    dataset: "spam",
    ...study,
    ...spec,
    budget: { trials: 20, ...spec.budget, stepsPerTrial: 1000 },
  });
  expect(result.ok ? [] : result.errors).toEqual([]);
  expect(settingErrors(spec)).toEqual([]);
}

const BUDGET = "a trial's length is the study's budget (budget.stepsPerTrial or tokensPerTrial)";
const NO_SETTING = "it names no training setting (nor a Hugging Face, PEFT or nanoGPT name of one)";

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

/** Fine-tuning sweeps start from a model, which decides the architecture: none is imported. */
const FROM_MODEL = { task: "instruction", model: "gpt2" };

describe("W&B sweeps of Hugging Face and PEFT fine-tuning", () => {
  it("maps TrainingArguments' and LoraConfig's names, and sets finetune to lora", () => {
    const imported = importFixture("hf-lora-apertus.yaml");
    expect(imported.spec.fixed).toEqual({ finetune: "lora" });
    expect(imported.spec.searchSpace).toEqual({
      lr: { type: "float", low: 0.000005, high: 0.0005, log: true },
      lora_r: { type: "categorical", choices: [8, 16, 32, 64] },
      lora_alpha: { type: "categorical", choices: [16, 32, 64, 128, 256] },
      lora_dropout: { type: "categorical", choices: [0, 0.05, 0.1] },
      accumulation_steps: { type: "categorical", choices: [1, 2, 4, 8] },
    });
    expect(imported.warnings.slice(0, 5)).toEqual([
      '"command" is not mapped: it configures W&B\'s agent, not the search',
      "learning_rate is mapped to lr",
      'parameter "warmup_ratio" is left out: warm-up is counted in steps here (warmup_steps)',
      "gradient_accumulation_steps is mapped to accumulation_steps",
      "finetune is set to lora: the sweep sets lora_r, lora_alpha, lora_dropout, which apply to LoRA only",
    ]);
    expectCompletes(imported, FROM_MODEL);
  });

  it.each([
    {
      about: "lora_rank, and leaves out what the budget or nothing here decides",
      fixture: "hf-lora-whisper.yaml",
      settings: [
        "lr",
        "lora_r",
        "lora_alpha",
        "lora_dropout",
        "warmup_steps",
        "accumulation_steps",
      ],
      warnings: [
        `parameter "mode" is left out: ${NO_SETTING}`,
        `parameter "num_train_epochs" is left out: ${BUDGET}`,
        "lora_rank is mapped to lora_r",
      ],
    },
    {
      about: "names spelt as command-line flags, with hyphens",
      fixture: "lora-flags.yaml",
      settings: ["lr", "lora_r", "lora_alpha", "batch_size"],
      warnings: [
        "lora-r is mapped to lora_r",
        "lora-alpha is mapped to lora_alpha",
        "batch-size is mapped to batch_size",
      ],
    },
  ])("maps $about", ({ fixture, settings, warnings }) => {
    const imported = importFixture(fixture);
    expect(Object.keys(imported.spec.searchSpace)).toEqual(settings);
    expect(imported.warnings).toEqual(expect.arrayContaining(warnings));
    expectCompletes(imported, FROM_MODEL);
  });

  it("maps nested LoRA names, target_modules lists, schedules and optimizers", () => {
    const imported = importFixture("peft-nested.yaml");
    expect(imported.spec.fixed).toEqual({ batch_size: 8, finetune: "lora" });
    expect(imported.spec.searchSpace).toEqual({
      lora_r: { type: "categorical", choices: [4, 8, 16, 32, 64] },
      lora_alpha: { type: "categorical", choices: [8, 16, 32, 64] },
      lora_dropout: { type: "categorical", choices: [0, 0.05, 0.1] },
      // GPT-2's c_attn computes query, key and value; c_proj both attention's output and the MLP's.
      lora_targets: {
        type: "categorical",
        choices: ["query+value", "attention", "query+key+value", "all"],
      },
      lora_rslora: { type: "categorical", choices: [true, false] },
      lr: { type: "categorical", choices: [0.00005, 0.0001, 0.0002, 0.0005] },
      schedule: { type: "categorical", choices: ["cosine", "constant"] },
      optimizer: { type: "categorical", choices: ["adamw"] },
    });
    expect(imported.warnings).toEqual([
      "lora.r is mapped to lora_r",
      "lora.alpha is mapped to lora_alpha",
      "lora.dropout is mapped to lora_dropout",
      "lora.target_modules is mapped to lora_targets",
      'parameter "lora.target_modules": ["q_proj","v_proj"] is mapped to query+value',
      'parameter "lora.target_modules": ["q_proj","k_proj","v_proj","o_proj"] is mapped to attention',
      'parameter "lora.target_modules": ["q_proj","k_proj","v_proj","o_proj","gate_proj","up_proj","down_proj"] is left out: module "gate_proj" computes mlp_gate, which takes no adapter here',
      'parameter "lora.target_modules": ["c_attn"] is mapped to query+key+value',
      'parameter "lora.target_modules": ["c_attn","c_proj","c_fc"] is mapped to all',
      'parameter "lora.target_modules": "all-linear" is mapped to all',
      'parameter "lora.target_modules": duplicate values dropped',
      "lora.use_rslora is mapped to lora_rslora",
      'parameter "lora.bias" is left out: LoRA trains no biases here',
      "training.learning_rate is mapped to lr",
      `parameter "training.epochs" is left out: ${BUDGET}`,
      "training.lr_scheduler_type is mapped to schedule",
      'parameter "training.lr_scheduler_type": "constant_with_warmup" is mapped to constant',
      "training.optim is mapped to optimizer",
      'parameter "training.optim": "adamw_torch" is mapped to adamw',
      "training.per_device_train_batch_size is mapped to batch_size",
      'parameter "training.lr_scheduler_type": "linear" is left out: Invalid option: expected one of "constant"|"step"|"exponential"|"cosine"|"one-cycle", got "linear" (schedule: Learning-rate schedule after the warmup.)',
      'parameter "training.optim": "adafactor" is left out: Invalid option: expected one of "adam"|"adamw"|"sgd", got "adafactor" (optimizer: Optimizer.)',
      "finetune is set to lora: the sweep sets lora_r, lora_alpha, lora_dropout, lora_targets, lora_rslora, which apply to LoRA only",
    ]);
    expectCompletes(imported, FROM_MODEL);
  });

  it("leaves out target sets that are none of ours, and names set twice", () => {
    const imported = importWandbSweep(`
parameters:
  target_modules: { values: [[q_proj, k_proj], [lm_head]] }
  lora_alpha: { value: 16 }
  lora: { parameters: { alpha: { value: 32 }, target_modules: { value: c_attn } } }
  learning_rate: { value: 0.001 }
  lr: { value: 0.01 }
`);
    expect(imported.spec.fixed).toEqual({
      lora_alpha: 16,
      lora_targets: "query+key+value",
      lr: 0.001,
      finetune: "lora",
    });
    expect(imported.spec.searchSpace).toEqual({});
    expect(imported.warnings).toEqual(
      expect.arrayContaining([
        'parameter "target_modules": ["q_proj","k_proj"] is left out: its projections (query, key) are none of lora_targets\' sets (query+value, query+key+value, attention, mlp, all)',
        'parameter "target_modules": ["lm_head"] is left out: module "lm_head" is not known here',
        'parameter "lora.alpha" is left out: lora_alpha is already set by "lora_alpha"',
        'parameter "lr" is left out: lr is already set by "learning_rate"',
      ]),
    );
  });
});
