// The W&B importer's names: sweeps of Hugging Face and PEFT fine-tuning, mapped onto the settings.
import { describe, expect, it } from "vitest";
import { importWandbSweep } from "../../src/tuning/wandb.ts";
import { BUDGET, expectCompletes, importFixture, NO_SETTING } from "./wandb-import.ts";

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
        choices: ["query+value", "attention", "all", "query+key+value"],
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
      'parameter "lora.target_modules": ["q_proj","k_proj","v_proj","o_proj","gate_proj","up_proj","down_proj"] is mapped to all',
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
