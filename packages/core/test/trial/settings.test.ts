import { describe, expect, it } from "vitest";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import {
  buildTrialPlan,
  type TrialContext,
  type TrialSettingsInput,
} from "../../src/trial/settings.ts";
import { knownSettings, trialSettingsJsonSchema } from "../../src/trial/settings-schema.ts";

const dataset: TextDataset = { format: "text", samples: [{ text: "abcabcabd, a tiny corpus" }] };
const context: TrialContext = { task: "language-modelling", dataset, budget: { steps: 100 } };

/** The TrialConfigError's message for these settings. */
function problem(settings: TrialSettingsInput, inContext: TrialContext = context): string {
  try {
    buildTrialPlan(settings, inContext);
  } catch (error) {
    expect(error).toBeInstanceOf(TrialConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(settings)} to be rejected`);
}

describe("trial settings", () => {
  it("default to a small GPT trained with AdamW on a cosine schedule", () => {
    const plan = buildTrialPlan({}, context);
    expect(plan.tokenizer.kind).toBe("char");
    expect(plan.model).toEqual({
      vocabSize: 16, // 15 distinct characters and end-of-text
      seqLen: 64,
      layers: 2,
      dModel: 128,
      heads: 4,
      kvHeads: 4,
      mlpRatio: 4,
      activation: "gelu",
      dropout: 0,
      norm: "pre",
      normalization: "layernorm",
      positions: "learned",
      ropeTheta: 10000,
      bias: true,
      tieEmbeddings: true,
    });
    expect(plan.optimizer).toEqual({
      kind: "adamw",
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.01,
    });
    expect(plan.schedule).toEqual({ kind: "cosine", decaySteps: 100, minLr: 0, warmupSteps: 0 });
    expect(plan).toMatchObject({
      learningRate: 1e-3,
      batchSize: 16,
      accumulationSteps: 1,
      maxGradNorm: 1,
      evalEvery: 10,
      evalWindows: 128,
      validationFraction: 0.1,
      steps: 100,
      tokensPerStep: 1024,
    });
  });

  it("map sampled values onto the engine's configs", () => {
    const plan = buildTrialPlan(
      {
        lr: 0.01,
        batch_size: 8,
        seq_len: 32,
        d_model: 64,
        heads: 8,
        kv_heads: 2,
        positions: "rotary",
        tie_embeddings: false,
        optimizer: "sgd",
        momentum: 0.5,
        weight_decay: 0.3, // not SGD's: ignored
        grad_clip: 0,
        accumulation_steps: 2,
        schedule: "step",
        warmup_steps: 10,
        step_gamma: 0.5,
        eval_every: 7,
        tokenizer: "byte",
      },
      context,
    );
    expect(plan.model).toMatchObject({
      vocabSize: 257,
      seqLen: 32,
      dModel: 64,
      heads: 8,
      kvHeads: 2,
      positions: "rotary",
      tieEmbeddings: false,
    });
    expect(plan.optimizer).toEqual({ kind: "sgd", momentum: 0.5 });
    // step_size defaults to a third of the 90 steps after warmup.
    expect(plan.schedule).toEqual({ kind: "step", stepSize: 30, gamma: 0.5, warmupSteps: 10 });
    expect(plan).toMatchObject({
      learningRate: 0.01,
      batchSize: 8,
      accumulationSteps: 2,
      maxGradNorm: undefined,
      evalEvery: 7,
      tokensPerStep: 512,
    });
  });

  it("turn a token budget into steps, which decaying schedules span", () => {
    const plan = buildTrialPlan(
      { batch_size: 4, seq_len: 16, schedule: "one-cycle", warmup_steps: 5 },
      { ...context, budget: { tokens: 6400 } },
    );
    expect(plan.steps).toBe(100);
    expect(plan.schedule).toMatchObject({ kind: "one-cycle", totalSteps: 95, warmupSteps: 5 });
    expect(
      buildTrialPlan({ batch_size: 4, seq_len: 16 }, { ...context, budget: { tokens: 6401 } })
        .steps,
    ).toBe(101);
  });

  it("size a classifier's head from the dataset's labels", () => {
    const labelled: TextDataset = {
      format: "jsonl",
      samples: [
        { text: "a", label: "x" },
        { text: "b", label: "y" },
        { text: "c", label: "z" },
      ],
      labels: ["x", "y", "z"],
    };
    const plan = buildTrialPlan({}, { ...context, task: "classification", dataset: labelled });
    expect(plan.model.numClasses).toBe(3);
    expect(problem({}, { ...context, task: "classification" })).toBe(
      'a classification trial needs a dataset with at least 2 labels, this one has 0: give every JSONL line a "label"',
    );
  });

  it("reject unknown settings, listing the known ones", () => {
    expect(problem({ learning_rate: 0.1 })).toMatch(
      /^unknown setting "learning_rate" \(known settings: lr, batch_size, .*validation_fraction, packing, loss_on, eval_examples, max_new_tokens, eval_decoding\)$/,
    );
    expect(problem({ learning_rate: 0.1, depth: 2 })).toMatch(
      /^unknown settings "learning_rate", "depth" \(known settings: /,
    );
  });

  it("name the setting, its value and the problem", () => {
    expect(problem({ batch_size: 3.5 })).toBe("batch_size 3.5: must be a whole number");
    expect(problem({ optimizer: "rmsprop" })).toBe(
      'optimizer "rmsprop": Invalid option: expected one of "adam"|"adamw"|"sgd"',
    );
    expect(problem({ tie_embeddings: "yes" })).toBe(
      'tie_embeddings "yes": Invalid input: expected boolean, received string',
    );
    expect(problem({ dropout: 1.5 })).toBe("dropout 1.5: Too big: expected number to be <1");
    expect(problem({ step_gamma: 2 })).toBe(
      "step_gamma must be at most 1 (it multiplies the rate)",
    );
    expect(problem({ lr: -1, layers: 0 })).toBe(
      "lr -1: Too small: expected number to be >0; layers 0: Too small: expected number to be >0",
    );
  });

  it("report rules across settings in the settings' names", () => {
    expect(problem({ d_model: 100, heads: 3 })).toBe("d_model 100 is not divisible by heads 3");
    expect(problem({ kv_heads: 3 })).toBe(
      "heads 4 must be a multiple of kv_heads 3 (kv_heads divides heads)",
    );
    expect(
      problem(
        { d_model: 18, heads: 2, positions: "rotary", schedule: "one-cycle" },
        {
          ...context,
          budget: { steps: 3 },
        },
      ),
    ).toBe(
      "rotary positions need an even head dimension, got d_model / heads = 9; pct_start * the trial's steps after warmup must be above 1, so that the rising phase has a step",
    );
  });

  it("list every setting with its type, default and description", () => {
    expect(knownSettings).toContain("d_model");
    expect(knownSettings).toHaveLength(55);
    const schema = trialSettingsJsonSchema();
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties?.d_model).toMatchObject({ type: "integer", default: 128 });
    expect(schema.properties?.optimizer).toMatchObject({
      enum: ["adam", "adamw", "sgd"],
      default: "adamw",
    });
    expect(schema.properties?.beta2).toMatchObject({ default: 0.999 });
    for (const name of knownSettings) {
      expect(schema.properties?.[name], name).toHaveProperty("description");
    }
  });
});
