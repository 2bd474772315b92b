/**
 * The settings a trial trains with (settings-schema.ts): the study's `fixed` merged with the sampled
 * parameters. `buildTrialPlan` turns them into the engine's configs (model, optimizer, schedule) and
 * the trainer's numbers.
 *
 * The assembled configs are checked by the engine's schemas again (for rules across fields, like
 * heads dividing d_model), so a trial accepts exactly what the engine accepts. Problems are reported
 * in the users' names, because the runner fails the trial with that message.
 */
import type { z } from "zod";
import { type ChatTemplate, PLAIN_CHAT_TEMPLATE } from "../data/chat-template.ts";
import type { InstructionDataset } from "../data/instruction-dataset.ts";
import { instructionTokenizer } from "../data/instruction-encoding.ts";
import { modelChatTemplate } from "../data/model-tokenizer.ts";
import type { TextDataset } from "../data/text-dataset.ts";
import { datasetTokenizer, type Tokenizer } from "../data/tokenizers.ts";
import { type GPTConfig, gptConfigSchema } from "../model/config.ts";
import { startMicrobatches } from "../train/batch-schedule.ts";
import type { Finetune } from "../train/finetune.ts";
import { type OptimizerConfig, optimizerConfigSchema } from "../train/optimizer-config.ts";
import { type Schedule, scheduleSchema } from "../train/schedules.ts";
import type { Budget, TrainerOptions } from "../train/trainer.ts";
import { CLASSIFICATION_FROM_MODEL } from "../tuning/base-model-spec.ts";
import type { StudySpec } from "../tuning/spec.ts";
import type { ParamValue } from "../tuning/types.ts";
import type { BaseModel } from "./base-model.ts";
import { TrialConfigError } from "./config-error.ts";
import { stepsInBudget, tokensPerOptimizerStep } from "./cost.ts";
import { finetunePlan } from "./finetune-settings.ts";
import {
  knownSettings,
  modelConfigInput,
  type TrialSettings,
  trialSettingsSchema,
} from "./settings-schema.ts";

export type TrialTask = StudySpec["task"];

/** Text (language modelling, classification) or instruction data (instruction, dialogue). */
export type TrialDataset = TextDataset | InstructionDataset;

export function isInstructionDataset(dataset: TrialDataset): dataset is InstructionDataset {
  return "examples" in dataset;
}

/** Settings as a study gives them: unchecked, possibly partial. */
export type TrialSettingsInput = Record<string, ParamValue>;

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
  /** The optimizer steps the budget comes to (at most, with a noise-scale batch). */
  steps: number;
  /** Of batch_size × accumulation_steps sequences, where a noise-scale batch starts or grows from. */
  tokensPerStep: number;
  /** With batch_schedule noise-scale. */
  noiseScaleBatch?: TrainerOptions["noiseScaleBatch"];
  /** Which weights train. */
  finetune: Finetune;
  /**
   * Tokens per training window or row (seq_len): the model's context when it is trained from
   * scratch, at most a pretrained base's.
   */
  seqLen: number;
  /** Instruction and dialogue trials only. */
  instruction?: InstructionPlan;
}

/** How an instruction or dialogue trial renders its examples and what its evaluations generate. */
export interface InstructionPlan {
  template: ChatTemplate;
  packing: boolean;
  /** Which assistant turns are trained on (loss_on). */
  assistantTurns: "all" | "last";
  generation: {
    /** Validation examples whose completions are generated at each evaluation. */
    examples: number;
    maxNewTokens: number;
    decoding: TrialSettings["eval_decoding"];
  };
}

export interface TrialContext {
  task: TrialTask;
  dataset: TrialDataset;
  budget: Budget;
  /** A pretrained model to start from: its architecture and tokenizer are the trial's. */
  baseModel?: BaseModel;
}

/** Checks the settings and fills in defaults; throws a TrialConfigError naming every problem. */
export function parseTrialSettings(input: TrialSettingsInput): TrialSettings {
  const parsed = trialSettingsSchema.safeParse(input);
  if (!parsed.success) throw new TrialConfigError(describeIssues(parsed.error.issues, input));
  return parsed.data;
}

/** A study's budget for each trial, in the trainer's terms. */
export function trialBudget(budget: StudySpec["budget"]): Budget {
  return budget.stepsPerTrial !== undefined
    ? { steps: budget.stepsPerTrial }
    : { tokens: budget.tokensPerTrial ?? 0 };
}

export function buildTrialPlan(input: TrialSettingsInput, context: TrialContext): TrialPlan {
  const settings = parseTrialSettings(input);
  const { task, dataset, baseModel } = context;
  const instruction = instructionPlan(settings, task, dataset, baseModel?.tokenizer);
  const tokenizer =
    baseModel?.tokenizer ??
    (isInstructionDataset(dataset)
      ? instructionTokenizer(
          settings.tokenizer,
          dataset,
          instruction?.template ?? PLAIN_CHAT_TEMPLATE,
        )
      : datasetTokenizer(settings.tokenizer, dataset));
  const tokensPerStep = tokensPerOptimizerStep(settings);
  const problems: string[] = [];
  const noiseScaleBatch =
    settings.batch_schedule === "noise-scale"
      ? noiseScaleBatchPlan(settings, tokensPerStep, problems)
      : undefined;
  // A growing batch trains on the budget's tokens in fewer steps; a steps budget counts as the
  // tokens of that many steps of batch_size × accumulation_steps, the tokens of a fixed trial.
  const budget =
    noiseScaleBatch !== undefined && "steps" in context.budget
      ? { tokens: context.budget.steps * tokensPerStep }
      : context.budget;
  const steps = stepsInBudget(budget, tokensPerStep);
  // Decaying schedules span the trial unless told otherwise; they start after the warmup.
  const scheduledSteps = Math.max(1, steps - settings.warmup_steps);

  const model = checked(
    gptConfigSchema,
    problems,
    baseModel
      ? baseModelConfig(baseModel, settings, task, problems)
      : {
          ...modelConfigInput(settings, tokenizer.vocabSize),
          ...(task === "classification" ? { numClasses: classCount(dataset as TextDataset) } : {}),
        },
  );
  // The optimizer and schedule schemas drop the fields their kind does not use.
  const optimizer = checked(optimizerConfigSchema, problems, {
    kind: settings.optimizer,
    beta1: settings.beta1,
    beta2: settings.beta2,
    epsilon: settings.epsilon,
    weightDecay: settings.weight_decay,
    momentum: settings.momentum,
  });
  const finetune = finetunePlan(settings, settings.layers, problems);
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
  if (
    model === undefined ||
    optimizer === undefined ||
    schedule === undefined ||
    problems.length > 0
  ) {
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
    ...(noiseScaleBatch && { noiseScaleBatch }),
    finetune,
    seqLen: settings.seq_len,
    ...(instruction && { instruction }),
  };
}

/**
 * A pretrained base's architecture with the trial's dropout; its context is its own, and the
 * trial's windows (seq_len) must fit in it.
 */
function baseModelConfig(
  base: BaseModel,
  settings: TrialSettings,
  task: TrialTask,
  problems: string[],
): GPTConfig {
  if (task === "classification") problems.push(CLASSIFICATION_FROM_MODEL);
  if (settings.seq_len > base.config.seqLen) {
    problems.push(
      `seq_len ${settings.seq_len} exceeds the model's context of ${base.config.seqLen} positions`,
    );
  }
  return { ...base.config, dropout: settings.dropout };
}

/**
 * An instruction or dialogue trial's plan, after checking that the data suits the task. The chat
 * template is a pretrained model's own, else the plain one.
 */
function instructionPlan(
  settings: TrialSettings,
  task: TrialTask,
  dataset: TrialDataset,
  modelTokenizer: Tokenizer | undefined,
): InstructionPlan | undefined {
  const generating = task === "instruction" || task === "dialogue";
  if (!generating) {
    if (isInstructionDataset(dataset)) {
      throw new TrialConfigError([
        `task ${task} needs a text dataset, this one is ${dataset.format} instruction data: use task instruction or dialogue`,
      ]);
    }
    return undefined;
  }
  if (!isInstructionDataset(dataset)) {
    throw new TrialConfigError([
      `task ${task} needs a prompt/completion or chat dataset, not a text dataset`,
    ]);
  }
  if (task === "dialogue" && dataset.format !== "chat") {
    throw new TrialConfigError([
      `task dialogue needs a chat dataset (conversations of messages), this one is ${dataset.format}: use task instruction`,
    ]);
  }
  return {
    template: modelTokenizer ? modelChatTemplate(modelTokenizer) : PLAIN_CHAT_TEMPLATE,
    packing: settings.packing,
    assistantTurns: settings.loss_on === "last-turn" ? "last" : "all",
    generation: {
      examples: settings.eval_examples,
      maxNewTokens: settings.max_new_tokens,
      decoding: settings.eval_decoding,
    },
  };
}

/** The noise-scale batch's bounds and LR rule in the trainer's terms; a bad bound is a problem. */
function noiseScaleBatchPlan(
  settings: TrialSettings,
  tokensPerStep: number,
  problems: string[],
): TrainerOptions["noiseScaleBatch"] {
  const start = startMicrobatches(settings.accumulation_steps);
  const maxBatchSize =
    settings.max_batch_size ?? 8 * settings.batch_size * settings.accumulation_steps;
  const maxMicrobatches = Math.floor(maxBatchSize / settings.batch_size);
  if (maxMicrobatches < start) {
    problems.push(
      `max_batch_size ${maxBatchSize} is below the batch noise-scale starts at, ${start} microbatches of batch_size ${settings.batch_size}`,
    );
  }
  return {
    microbatchSize: settings.batch_size,
    maxMicrobatches,
    lrScaling: settings.batch_lr_scaling ?? (settings.optimizer === "sgd" ? "linear" : "sqrt"),
    tokensPerBaseStep: tokensPerStep,
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

/** The setting an engine field comes from: dModel → d_model, gamma → step_gamma. */
export function settingName(field: string): string {
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
