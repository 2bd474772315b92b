/**
 * The settings a trial trains with: one flat record, the study's `fixed` merged with the sampled
 * parameters, named in snake_case as users write them in specs. `buildTrialPlan` turns them into
 * the engine's configs (model, optimizer, schedule) and the trainer's numbers.
 *
 * Each setting that the engine knows is checked and defaulted by the engine's own field schema, and
 * the assembled configs by the engine's schemas again (for rules across fields, like heads dividing
 * d_model), so a trial accepts exactly what the engine accepts. Problems are reported in the users'
 * names, because the runner fails the trial with that message.
 */
import { z } from "zod";
import type { TextDataset } from "../data/text-dataset.ts";
import { createTokenizer, type Tokenizer, type TokenizerKind } from "../data/tokenizers.ts";
import { type GPTConfig, gptConfigSchema } from "../model/config.ts";
import { type OptimizerConfig, optimizerConfigSchema } from "../train/optimizers.ts";
import { type Schedule, scheduleSchema } from "../train/schedules.ts";
import type { Budget } from "../train/trainer.ts";
import type { StudySpec } from "../tuning/spec.ts";
import type { ParamValue } from "../tuning/types.ts";

export type TrialTask = StudySpec["task"];

/** Settings as a study gives them: unchecked, possibly partial. */
export type TrialSettingsInput = Record<string, ParamValue>;

/** A trial's settings cannot be built into a model and training run; retrying will not help. */
export class TrialConfigError extends Error {
  /** Each problem on its own, naming the setting. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join("; "));
    this.name = "TrialConfigError";
    this.problems = problems;
  }
}

// The engine's field schemas, reused so that each setting is checked and defaulted as the engine does.
const modelFields = gptConfigSchema.in.shape;
const [adam, adamw, sgd] = optimizerConfigSchema.options;
const [constant, stepDecay, exponential, cosine, oneCycle] = scheduleSchema.options;

const wholeNumber = z.number().int({ error: "must be a whole number" });
const tokenizerKinds: TokenizerKind[] = ["char", "byte", "gpt2"];

export const trialSettingsSchema = z.strictObject({
  lr: z
    .number()
    .positive()
    .default(1e-3)
    .describe("Peak learning rate.")
    .meta({ examples: [3e-4] }),
  batch_size: wholeNumber.min(1).default(16).describe("Sequences per microbatch."),
  accumulation_steps: wholeNumber
    .min(1)
    .default(1)
    .describe("Microbatches whose gradients are averaged into one optimizer step."),
  seq_len: modelFields.seqLen.default(64).describe("Context length in tokens."),
  layers: modelFields.layers.default(2).describe("Transformer blocks."),
  d_model: modelFields.dModel.default(128).describe("Width of the residual stream."),
  heads: modelFields.heads.default(4).describe("Attention heads; must divide d_model."),
  kv_heads: modelFields.kvHeads
    .describe("Key/value heads (default: heads); 1 is multi-query, in between is grouped-query.")
    .meta({ examples: [1] }),
  mlp_ratio: modelFields.mlpRatio.describe("MLP hidden width as a multiple of d_model."),
  activation: modelFields.activation.describe("MLP activation."),
  dropout: modelFields.dropout.describe("Dropout probability while training."),
  norm: modelFields.norm.describe("LayerNorm before each sub-layer (pre) or after it (post)."),
  positions: modelFields.positions.describe("Positional scheme."),
  tie_embeddings: modelFields.tieEmbeddings.describe(
    "The output projection shares the token embedding matrix.",
  ),
  optimizer: z
    .enum(optimizerConfigSchema.options.map((option) => option.shape.kind.value))
    .default("adamw")
    .describe("Optimizer."),
  beta1: adam.shape.beta1.describe("Adam(W)'s first-moment decay."),
  beta2: adam.shape.beta2.describe("Adam(W)'s second-moment decay."),
  epsilon: adam.shape.epsilon.describe("Adam(W)'s denominator term."),
  weight_decay: adamw.shape.weightDecay.describe("AdamW's decoupled weight decay."),
  momentum: sgd.shape.momentum.describe("SGD's momentum."),
  grad_clip: z
    .number()
    .min(0)
    .default(1)
    .describe("Clip gradients to this global L2 norm; 0 turns clipping off."),
  schedule: z
    .enum(scheduleSchema.options.map((option) => option.shape.kind.value))
    .default("cosine")
    .describe("Learning-rate schedule after the warmup."),
  warmup_steps: constant.shape.warmupSteps
    .describe("Linear warmup from 0, in steps.")
    .meta({ examples: [100] }),
  step_size: stepDecay.shape.stepSize
    .optional()
    .describe(
      "step: multiply the rate by step_gamma every this many steps (default: a third of the scheduled steps).",
    )
    .meta({ examples: [500] }),
  step_gamma: stepDecay.shape.gamma
    .default(0.1)
    .describe("step: the factor each drop multiplies by."),
  decay_rate: exponential.shape.decayRate
    .default(0.1)
    .describe("exponential: the factor over decay_steps."),
  decay_steps: cosine.shape.decaySteps
    .optional()
    .describe("exponential and cosine: the decay length (default: the trial's steps after warmup).")
    .meta({ examples: [1000] }),
  staircase: exponential.shape.staircase.describe("exponential: decay in whole periods."),
  min_lr: cosine.shape.minLr.describe("cosine: the rate at the end of the decay."),
  pct_start: oneCycle.shape.pctStart.describe("one-cycle: share of the steps spent rising."),
  div_factor: oneCycle.shape.divFactor.describe("one-cycle: lr / div_factor is the starting rate."),
  final_div_factor: oneCycle.shape.finalDivFactor.describe(
    "one-cycle: the final rate is the starting rate / final_div_factor.",
  ),
  eval_every: wholeNumber
    .min(1)
    .optional()
    .describe(
      "Evaluate every this many steps, and at the end (default: a tenth of the trial's steps).",
    )
    .meta({ examples: [50] }),
  eval_windows: wholeNumber
    .min(1)
    .default(128)
    .describe(
      "Language modelling: validation windows per evaluation, spread over the validation text.",
    ),
  tokenizer: z
    .enum(tokenizerKinds)
    .default("char")
    .describe("char: the dataset's characters; byte: UTF-8 bytes; gpt2: GPT-2's BPE."),
  validation_fraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.1)
    .describe("Share of the dataset held out for validation."),
});

export type TrialSettings = z.output<typeof trialSettingsSchema>;
export type SettingName = keyof TrialSettings;

export const knownSettings: readonly SettingName[] = trialSettingsSchema.keyof().options;

/** Every setting with its type, range, default and description, for docs and forms. */
export function trialSettingsJsonSchema() {
  return z.toJSONSchema(trialSettingsSchema, { io: "input" });
}

/** What a trial trains with, in the engine's terms. */
export interface TrialPlan {
  task: TrialTask;
  tokenizer: Tokenizer;
  model: GPTConfig;
  optimizer: OptimizerConfig;
  schedule: Schedule;
  learningRate: number;
  batchSize: number;
  accumulationSteps: number;
  /** Undefined when clipping is off. */
  maxGradNorm: number | undefined;
  evalEvery: number;
  evalWindows: number;
  validationFraction: number;
  budget: Budget;
  /** The optimizer steps the budget comes to. */
  steps: number;
  tokensPerStep: number;
}

export interface TrialContext {
  task: TrialTask;
  dataset: TextDataset;
  budget: Budget;
}

/** Checks the settings and fills in defaults; throws a TrialConfigError naming every problem. */
export function parseTrialSettings(input: TrialSettingsInput): TrialSettings {
  const parsed = trialSettingsSchema.safeParse(input);
  if (!parsed.success) throw new TrialConfigError(describeIssues(parsed.error.issues, input));
  return parsed.data;
}

export function buildTrialPlan(input: TrialSettingsInput, context: TrialContext): TrialPlan {
  const settings = parseTrialSettings(input);
  const { task, dataset, budget } = context;
  // Built from the whole dataset, so that validation text has no unknown characters and a resumed
  // trial rebuilds the same vocabulary.
  const tokenizer = createTokenizer(
    settings.tokenizer,
    dataset.samples.map((sample) => sample.text).join(""),
  );
  const tokensPerStep = settings.batch_size * settings.seq_len * settings.accumulation_steps;
  const steps = "steps" in budget ? budget.steps : Math.ceil(budget.tokens / tokensPerStep);
  // Decaying schedules span the trial unless told otherwise; they start after the warmup.
  const scheduledSteps = Math.max(1, steps - settings.warmup_steps);

  const problems: string[] = [];
  const model = checked(gptConfigSchema, problems, {
    vocabSize: tokenizer.vocabSize,
    seqLen: settings.seq_len,
    layers: settings.layers,
    dModel: settings.d_model,
    heads: settings.heads,
    kvHeads: settings.kv_heads,
    mlpRatio: settings.mlp_ratio,
    activation: settings.activation,
    dropout: settings.dropout,
    norm: settings.norm,
    positions: settings.positions,
    tieEmbeddings: settings.tie_embeddings,
    ...(task === "classification" ? { numClasses: classCount(dataset) } : {}),
  });
  // The optimizer and schedule schemas drop the fields their kind does not use.
  const optimizer = checked(optimizerConfigSchema, problems, {
    kind: settings.optimizer,
    beta1: settings.beta1,
    beta2: settings.beta2,
    epsilon: settings.epsilon,
    weightDecay: settings.weight_decay,
    momentum: settings.momentum,
  });
  const schedule = checked(scheduleSchema, problems, {
    kind: settings.schedule,
    warmupSteps: settings.warmup_steps,
    stepSize: settings.step_size ?? Math.max(1, Math.floor(scheduledSteps / 3)),
    gamma: settings.step_gamma,
    decayRate: settings.decay_rate,
    decaySteps: settings.decay_steps ?? scheduledSteps,
    staircase: settings.staircase,
    minLr: settings.min_lr,
    totalSteps: scheduledSteps,
    pctStart: settings.pct_start,
    divFactor: settings.div_factor,
    finalDivFactor: settings.final_div_factor,
  });
  if (model === undefined || optimizer === undefined || schedule === undefined) {
    throw new TrialConfigError(problems);
  }
  return {
    task,
    tokenizer,
    model,
    optimizer,
    schedule,
    learningRate: settings.lr,
    batchSize: settings.batch_size,
    accumulationSteps: settings.accumulation_steps,
    maxGradNorm: settings.grad_clip > 0 ? settings.grad_clip : undefined,
    evalEvery: settings.eval_every ?? Math.max(1, Math.round(steps / 10)),
    evalWindows: settings.eval_windows,
    validationFraction: settings.validation_fraction,
    budget,
    steps,
    tokensPerStep,
  };
}

function classCount(dataset: TextDataset): number {
  const count = dataset.labels?.length ?? 0;
  if (count < 2) {
    throw new TrialConfigError([
      `a classification trial needs a dataset with at least 2 labels, this one has ${count}: give every JSONL line a "label"`,
    ]);
  }
  return count;
}

/** The schema's output, or undefined after adding its problems in setting names. */
function checked<T>(
  schema: z.ZodType<T>,
  problems: string[],
  input: Record<string, unknown>,
): T | undefined {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  problems.push(...describeIssues(parsed.error.issues, input));
  return undefined;
}

/** Engine fields whose setting is not their snake_case name, or that no setting sets. */
const renamedFields: Record<string, string> = {
  gamma: "step_gamma",
  totalSteps: "the trial's steps after warmup",
};

function settingName(field: string): string {
  return renamedFields[field] ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Rewrites the engine's field names (dModel, gamma) in a message as the settings' (d_model, step_gamma). */
export function inSettingNames(message: string): string {
  return message.replace(/\b[a-z][A-Za-z0-9]*\b/g, (word) =>
    word in renamedFields || /[A-Z]/.test(word) ? settingName(word) : word,
  );
}

/** One message per issue, naming the setting and, unless the message already does, its value. */
function describeIssues(issues: z.core.$ZodIssue[], values: Record<string, unknown>): string[] {
  return issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const names = issue.keys.map((key) => `"${key}"`).join(", ");
      return `unknown setting${issue.keys.length > 1 ? "s" : ""} ${names} (known settings: ${knownSettings.join(", ")})`;
    }
    const field = String(issue.path[0] ?? "");
    const name = settingName(field);
    const message = inSettingNames(issue.message);
    if (new RegExp(`\\b${name}\\b`).test(message)) return message;
    return `${name} ${show(values[field])}: ${message}`;
  });
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
