/**
 * What a trial costs before it runs: training FLOPs per step and per trial, from the model's FLOPs
 * per token, and the seconds they take on a runner whose throughput was measured.
 *
 * Throughput is in FLOP/s rather than tokens/s because it carries over between model sizes: a
 * runner that trained one model at T tokens/s trains one with twice the FLOPs per token at about
 * T/2, so FLOP/s measured on earlier trials prices any setting.
 */
import { gptConfigSchema, trainingFlopsPerToken } from "../model/config.ts";
import type { Budget } from "../train/trainer.ts";
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
  const settings = trialSettingsSchema.safeParse(input.settings);
  if (!settings.success) return undefined;
  const model = gptConfigSchema.safeParse(modelConfigInput(settings.data, input.vocabSize));
  if (!model.success) return undefined;
  const flopsPerToken = trainingFlopsPerToken(model.data);
  const tokensPerStep = tokensPerOptimizerStep(settings.data);
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
