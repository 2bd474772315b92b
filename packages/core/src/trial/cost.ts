/**
 * What a trial costs before it runs: training FLOPs per step and per trial, from the model's FLOPs
 * per token, and the seconds they take on a runner whose throughput was measured.
 *
 * Throughput is in FLOP/s rather than tokens/s because it carries over between model sizes: a
 * runner that trained one model at T tokens/s trains one with twice the FLOPs per token at about
 * T/2, so FLOP/s measured on earlier trials prices any setting.
 */
import type { TokenizerKind } from "../data/tokenizers.ts";
import {
  type GPTConfig,
  gptConfigSchema,
  mlpWidth,
  parameterCount,
  trainingFlopsPerToken,
} from "../model/config.ts";
import type { Budget } from "../train/trainer.ts";
import { describeLimit, type StudyLimits } from "../tuning/limits.ts";
import type { TrialSettingsInput } from "./settings.ts";
import { modelConfigInput, type TrialSettings, trialSettingsSchema } from "./settings-schema.ts";

/** Tokens one optimizer step trains on: its microbatches of sequences. */
export function tokensPerOptimizerStep(
  settings: Pick<TrialSettings, "batch_size" | "seq_len" | "accumulation_steps">,
): number {
  return settings.batch_size * settings.seq_len * settings.accumulation_steps;
}

/** The optimizer steps a trial's budget comes to. */
export function stepsInBudget(budget: Budget, tokensPerStep: number): number {
  return "steps" in budget ? budget.steps : Math.ceil(budget.tokens / tokensPerStep);
}

export interface TrialCost {
  flopsPerToken: number;
  tokensPerStep: number;
  flopsPerStep: number;
  steps: number;
  flopsPerTrial: number;
  /** Present when a throughput was given. */
  secondsPerStep?: number;
  secondsPerTrial?: number;
}

/**
 * The cost of a trial with these settings (defaults filled in as a trial fills them), or undefined
 * when they do not make a model (a value out of range, heads not dividing d_model...).
 */
export function trialCost(input: {
  settings: TrialSettingsInput;
  /** The tokenizer's vocabulary: the settings do not fix it, the dataset does. */
  vocabSize: number;
  budget: Budget;
  /** Measured training throughput of a runner, in FLOP/s. */
  flopsPerSecond?: number;
}): TrialCost | undefined {
  const planned = plannedModel(input.settings, input.vocabSize);
  if (planned === undefined) return undefined;
  const flopsPerToken = trainingFlopsPerToken(planned.model);
  const tokensPerStep = tokensPerOptimizerStep(planned.settings);
  const steps = stepsInBudget(input.budget, tokensPerStep);
  const flopsPerStep = flopsPerToken * tokensPerStep;
  const cost: TrialCost = {
    flopsPerToken,
    tokensPerStep,
    flopsPerStep,
    steps,
    flopsPerTrial: flopsPerStep * steps,
  };
  const speed = input.flopsPerSecond;
  if (speed === undefined || !(speed > 0)) return cost;
  return {
    ...cost,
    secondsPerStep: flopsPerStep / speed,
    secondsPerTrial: (flopsPerStep * steps) / speed,
  };
}

/**
 * The settings with their defaults and the model they make (for the dataset's vocabulary when it is
 * known), or undefined when they make none.
 */
function plannedModel(
  input: TrialSettingsInput,
  vocabSize?: number,
): { settings: TrialSettings; model: GPTConfig } | undefined {
  const settings = trialSettingsSchema.safeParse(input);
  if (!settings.success) return undefined;
  const vocabulary = vocabSize ?? vocabularyBeforeData[settings.data.tokenizer];
  const model = gptConfigSchema.safeParse(modelConfigInput(settings.data, vocabulary));
  return model.success ? { settings: settings.data, model: model.data } : undefined;
}

/**
 * Vocabulary sizes before a dataset is read: byte and GPT-2 fix theirs; a char vocabulary is the
 * dataset's characters, taken as 256 (English text has about 100).
 */
const vocabularyBeforeData: Record<TokenizerKind, number> = { char: 256, byte: 257, gpt2: 50_257 };

const BYTES_PER_FLOAT = 4;

/** Weights, their gradients and Adam's two moments. */
const COPIES_OF_WEIGHTS = 4;

/**
 * Floats a token keeps for the backward pass: per layer about eight residual-width tensors (norms,
 * queries, keys, values, attention output, projections), the MLP's hidden layer before and after
 * its activation (SwiGLU: its gate, its input and their product), and the attention scores and probabilities over the context; then the logits and
 * their softmax.
 */
function activationsPerToken(model: GPTConfig): number {
  const mlpHiddenTensors = model.activation === "swiglu" ? 3 : 2;
  const perLayer =
    8 * model.dModel + mlpHiddenTensors * mlpWidth(model) + 2 * model.heads * model.seqLen;
  const logits = model.numClasses === undefined ? 2 * model.vocabSize : 0;
  return model.layers * perLayer + logits;
}

export interface TrialFootprint {
  parameters: number;
  /** An estimate of the memory training takes, in bytes (float32 weights and activations). */
  memoryBytes: number;
}

/** How large training the model is, before anything is built. */
export function trialFootprint(model: GPTConfig, batchSize: number): TrialFootprint {
  const parameters = parameterCount(model);
  const activations = batchSize * model.seqLen * activationsPerToken(model);
  return {
    parameters,
    memoryBytes: BYTES_PER_FLOAT * (COPIES_OF_WEIGHTS * parameters + activations),
  };
}

/**
 * Why a trial with these settings is too large for the shared runners, giving its size; undefined
 * when it fits, or when the settings make no model (the trial's own checks say why).
 */
export function modelSizeProblem(
  input: TrialSettingsInput,
  limits: StudyLimits,
): string | undefined {
  const planned = plannedModel(input);
  if (planned === undefined) return undefined;
  const { parameters, memoryBytes } = trialFootprint(planned.model, planned.settings.batch_size);
  const gib = memoryBytes / 2 ** 30;
  const size = `the model has ${parameters.toLocaleString("en-US")} parameters and training it takes about ${gib.toLocaleString("en-US", { maximumFractionDigits: 1 })} GiB`;
  if (parameters > limits.modelParameters) {
    return `${size}, above ${describeLimit(limits, "modelParameters", " parameters")}`;
  }
  if (gib > limits.trialMemoryGiB) {
    return `${size}, above ${describeLimit(limits, "trialMemoryGiB", " GiB")}`;
  }
  return undefined;
}
