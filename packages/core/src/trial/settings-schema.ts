/**
 * The trainer settings a study fixes or searches: one flat record named in snake_case, as users
 * write them in specs. Each setting the engine knows reuses the engine's own field schema, so it is
 * checked and defaulted as the engine does. Free of TensorFlow.js: the spec's validation and the
 * web form (through the catalogue, tuning/catalogue.ts) read it.
 *
 * The keys are in the order the form shows them, by group; `.describe` says what a setting does,
 * once, for the form, the spec reference and the API's errors.
 */
import { z } from "zod";
import type { TokenizerKind } from "../data/tokenizers.ts";
import { type GPTConfigInput, gptConfigSchema } from "../model/config.ts";
import { optimizerConfigSchema } from "../train/optimizer-config.ts";
import { scheduleSchema } from "../train/schedules.ts";
import type {} from "../tuning/field-meta.ts";
import { finetuneSettingFields } from "./finetune-settings.ts";

const modelFields = gptConfigSchema.in.shape;
const [adam, adamw, sgd] = optimizerConfigSchema.options;
const [constant, stepDecay, exponential, cosine, oneCycle] = scheduleSchema.options;

const wholeNumber = z.number().int({ error: "must be a whole number" });
const tokenizerKinds: TokenizerKind[] = ["char", "byte", "gpt2"];

export const trialSettingsSchema = z.strictObject({
  // Training
  lr: z
    .number()
    .positive()
    .default(1e-3)
    .describe("Peak learning rate.")
    .meta({ label: "Learning rate", group: "training", logScale: true, examples: [3e-4] }),
  batch_size: wholeNumber
    .min(1)
    .default(16)
    .describe("Sequences per microbatch.")
    .meta({ label: "Batch size", group: "training" }),
  schedule: z
    .enum(scheduleSchema.options.map((option) => option.shape.kind.value))
    .default("cosine")
    .describe("Learning-rate schedule after the warmup.")
    .meta({ label: "Schedule", group: "training" }),

  // Schedule
  warmup_steps: constant.shape.warmupSteps
    .describe("Linear warmup from 0, in steps, before the schedule starts.")
    .meta({ label: "Warm-up steps", group: "schedule", examples: [100] }),
  step_size: stepDecay.shape.stepSize
    .optional()
    .describe("step: multiply the rate by step_gamma every this many steps.")
    .meta({
      label: "Step size",
      group: "schedule",
      schedules: ["step"],
      defaultNote: "a third of the scheduled steps",
      examples: [500],
    }),
  step_gamma: stepDecay.shape.gamma
    .default(0.1)
    .describe("step: the factor each drop multiplies by.")
    .meta({ label: "Step factor", group: "schedule", schedules: ["step"] }),
  decay_rate: exponential.shape.decayRate
    .default(0.1)
    .describe("exponential: the factor over decay_steps.")
    .meta({ label: "Decay rate", group: "schedule", schedules: ["exponential"] }),
  decay_steps: cosine.shape.decaySteps
    .optional()
    .describe("exponential and cosine: the decay length.")
    .meta({
      label: "Decay steps",
      group: "schedule",
      schedules: ["exponential", "cosine"],
      defaultNote: "the trial's steps after warmup",
      examples: [1000],
    }),
  staircase: exponential.shape.staircase
    .describe("exponential: decay in whole periods.")
    .meta({ label: "Staircase", group: "schedule", schedules: ["exponential"] }),
  min_lr: cosine.shape.minLr
    .describe("cosine: the rate at the end of the decay.")
    .meta({ label: "Minimum LR", group: "schedule", schedules: ["cosine"] }),
  pct_start: oneCycle.shape.pctStart
    .describe("one-cycle: share of the steps spent rising.")
    .meta({ label: "Rising share", group: "schedule", schedules: ["one-cycle"] }),
  div_factor: oneCycle.shape.divFactor
    .describe("one-cycle: lr / div_factor is the starting rate.")
    .meta({ label: "Start divisor", group: "schedule", schedules: ["one-cycle"] }),
  final_div_factor: oneCycle.shape.finalDivFactor
    .describe("one-cycle: the final rate is the starting rate / final_div_factor.")
    .meta({ label: "Final divisor", group: "schedule", schedules: ["one-cycle"] }),

  // Architecture
  seq_len: modelFields.seqLen
    .default(64)
    .describe("Context length in tokens.")
    .meta({ label: "Sequence length", group: "architecture" }),
  layers: modelFields.layers
    .default(2)
    .describe("Transformer blocks.")
    .meta({ label: "Layers", group: "architecture" }),
  d_model: modelFields.dModel
    .default(128)
    .describe("Width of the residual stream.")
    .meta({ label: "Width (d_model)", group: "architecture" }),
  heads: modelFields.heads
    .default(4)
    .describe("Attention heads; must divide d_model.")
    .meta({ label: "Heads", group: "architecture" }),
  kv_heads: modelFields.kvHeads
    .describe("Key/value heads; 1 is multi-query, in between is grouped-query; must divide heads.")
    .meta({
      label: "Attention",
      group: "architecture",
      defaultNote: "heads (multi-head)",
      examples: [1],
    }),
  norm: modelFields.norm
    .describe("The norm before each sub-layer (pre) or after it (post).")
    .meta({ label: "Norm placement", group: "architecture" }),
  normalization: modelFields.normalization
    .describe("layernorm: centred and shifted (GPT-2); rmsnorm: scaled only (Llama).")
    .meta({ label: "Norm", group: "architecture" }),

  // Budget
  eval_every: wholeNumber
    .min(1)
    .optional()
    .describe("Evaluate every this many steps, and at the end.")
    .meta({
      label: "Evaluate every",
      group: "budget",
      defaultNote: "a tenth of the trial's steps",
      examples: [50],
    }),

  // More settings
  optimizer: z
    .enum(optimizerConfigSchema.options.map((option) => option.shape.kind.value))
    .default("adamw")
    .describe("Optimizer.")
    .meta({ label: "Optimizer", group: "more" }),
  weight_decay: adamw.shape.weightDecay
    .describe("AdamW's decoupled weight decay.")
    .meta({ label: "Weight decay", group: "more" }),
  beta1: adam.shape.beta1
    .describe("Adam(W)'s first-moment decay.")
    .meta({ label: "β₁", group: "more" }),
  beta2: adam.shape.beta2
    .describe("Adam(W)'s second-moment decay.")
    .meta({ label: "β₂", group: "more" }),
  epsilon: adam.shape.epsilon
    .describe("Adam(W)'s denominator term.")
    .meta({ label: "ε", group: "more", logScale: true }),
  momentum: sgd.shape.momentum
    .describe("SGD's momentum.")
    .meta({ label: "Momentum", group: "more" }),
  grad_clip: z
    .number()
    .min(0)
    .default(1)
    .describe("Clip gradients to this global L2 norm; 0 turns clipping off.")
    .meta({ label: "Gradient clip", group: "more" }),
  accumulation_steps: wholeNumber
    .min(1)
    .default(1)
    .describe("Microbatches whose gradients are averaged into one optimizer step.")
    .meta({ label: "Accumulation steps", group: "more" }),
  batch_schedule: z
    .enum(["fixed", "noise-scale"])
    .default("fixed")
    .describe(
      "fixed: every step averages accumulation_steps microbatches. noise-scale: from there (2 at least) the step's microbatches grow, never shrink, towards the gradient noise scale tr(Σ)/|G|² measured on them at no extra cost (McCandlish et al. 2018), up to max_batch_size, with lr scaled by batch_lr_scaling; the budget's tokens (a steps budget: that many steps' tokens at accumulation_steps) then take fewer steps, the schedule spread over them.",
    )
    .meta({ label: "Batch schedule", group: "more" }),
  max_batch_size: wholeNumber
    .min(1)
    .optional()
    .describe(
      "noise-scale: the most sequences per step, in whole microbatches of batch_size (rounded down).",
    )
    .meta({
      label: "Max batch size",
      group: "more",
      defaultNote: "8 × batch_size × accumulation_steps",
      examples: [256],
    }),
  batch_lr_scaling: z
    .enum(["sqrt", "linear", "none"])
    .optional()
    .describe(
      "noise-scale: lr is the rate for batch_size × accumulation_steps; a step's batch b times that scales it by √b, by b, or not at all, times the schedule's rate.",
    )
    .meta({
      label: "LR scaling with batch",
      group: "more",
      defaultNote: "sqrt for adam and adamw, linear for sgd",
    }),
  dropout: modelFields.dropout
    .describe("Dropout probability while training.")
    .meta({ label: "Dropout", group: "more" }),
  mlp_ratio: modelFields.mlpRatio
    .describe("MLP hidden width as a multiple of d_model.")
    .meta({ label: "MLP ratio", group: "more" }),
  mlp_hidden: modelFields.mlpHidden
    .describe("MLP hidden width in units; overrides mlp_ratio (Llama's intermediate_size).")
    .meta({
      label: "MLP width",
      group: "more",
      defaultNote: "mlp_ratio × d_model",
      examples: [344],
    }),
  activation: modelFields.activation
    .describe(
      "MLP activation: relu or gelu between two projections, or swiglu (Llama): silu(x·W_gate) ⊙ x·W_in, then W_out.",
    )
    .meta({ label: "Activation", group: "more" }),
  positions: modelFields.positions
    .describe("Positional scheme.")
    .meta({ label: "Positions", group: "more" }),
  rope_theta: modelFields.ropeTheta
    .describe("Rotary positions' base θ: feature pair i turns by position · θ^(-2i/head size).")
    .meta({ label: "Rotary base", group: "more", examples: [500000] }),
  bias: modelFields.bias
    .describe("Biases on the attention and MLP projections (Llama has none).")
    .meta({ label: "Biases", group: "more" }),
  tie_embeddings: modelFields.tieEmbeddings
    .describe("The output projection shares the token embedding matrix.")
    .meta({ label: "Tie embeddings", group: "more" }),
  ...finetuneSettingFields,
  tokenizer: z
    .enum(tokenizerKinds)
    .default("char")
    .describe("char: the dataset's characters; byte: UTF-8 bytes; gpt2: GPT-2's BPE.")
    .meta({ label: "Tokenizer", group: "more" }),
  eval_windows: wholeNumber
    .min(1)
    .default(128)
    .describe(
      "Language modelling: validation windows per evaluation, spread over the validation text.",
    )
    .meta({ label: "Evaluation windows", group: "more" }),
  validation_fraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.1)
    .describe("Share of the dataset held out for validation.")
    .meta({ label: "Validation share", group: "more" }),
  packing: z
    .boolean()
    .default(false)
    .describe(
      "Instruction and dialogue: pack several examples into each sequence instead of one per sequence (padded); attention and positions stay within each example.",
    )
    .meta({ label: "Packing", group: "more" }),
  loss_on: z
    .enum(["all-turns", "last-turn"])
    .default("all-turns")
    .describe(
      "Dialogue: train on every assistant turn of a conversation, or only on its last. Prompts and other turns are never trained on.",
    )
    .meta({ label: "Loss on", group: "more" }),
  eval_examples: wholeNumber
    .min(1)
    .default(32)
    .describe(
      "Instruction and dialogue: validation prompts whose completions are generated and scored at each evaluation (the same ones for every trial of a study).",
    )
    .meta({ label: "Generated examples", group: "more" }),
  max_new_tokens: wholeNumber
    .min(1)
    .default(64)
    .describe(
      "Instruction and dialogue: the most tokens generated per completion at evaluations; generation stops earlier at the end-of-turn token.",
    )
    .meta({ label: "Max new tokens", group: "more" }),
  eval_decoding: z
    .enum(["greedy", "sampled"])
    .default("greedy")
    .describe(
      "Instruction and dialogue: generate evaluation completions greedily (the likeliest token each time) or sampled at temperature 1, seeded by the trial's seed.",
    )
    .meta({ label: "Evaluation decoding", group: "more" }),
});

export type TrialSettings = z.output<typeof trialSettingsSchema>;
export type SettingName = keyof TrialSettings;

export const knownSettings: readonly SettingName[] = trialSettingsSchema.keyof().options;

/** Every setting with its type, range, default and description, for docs and forms. */
export function trialSettingsJsonSchema() {
  return z.toJSONSchema(trialSettingsSchema, { io: "input" });
}

/**
 * The model the settings describe, in the engine's terms, for a vocabulary of `vocabSize` tokens
 * (the tokenizer's, which the settings do not fix). Unchecked: gptConfigSchema checks it.
 */
/**
 * The settings that are the model's architecture: every one modelConfigInput reads but seq_len
 * (the windows trained on) and dropout. A pretrained model decides them.
 */
export const ARCHITECTURE_SETTINGS = [
  "layers",
  "d_model",
  "heads",
  "kv_heads",
  "mlp_ratio",
  "mlp_hidden",
  "activation",
  "norm",
  "normalization",
  "positions",
  "rope_theta",
  "bias",
  "tie_embeddings",
] as const satisfies readonly (keyof TrialSettings)[];

export function modelConfigInput(settings: TrialSettings, vocabSize: number): GPTConfigInput {
  return {
    vocabSize,
    seqLen: settings.seq_len,
    layers: settings.layers,
    dModel: settings.d_model,
    heads: settings.heads,
    kvHeads: settings.kv_heads,
    mlpRatio: settings.mlp_ratio,
    mlpHidden: settings.mlp_hidden,
    activation: settings.activation,
    dropout: settings.dropout,
    norm: settings.norm,
    normalization: settings.normalization,
    positions: settings.positions,
    ropeTheta: settings.rope_theta,
    bias: settings.bias,
    tieEmbeddings: settings.tie_embeddings,
  };
}
