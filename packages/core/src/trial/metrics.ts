/**
 * How the trainer's reports become metric values by key (metric-definitions.ts says what each key
 * is), and which objectives a study's trials can report.
 */
import { majorityShare, unigramEntropy } from "../data/statistics.ts";
import { type GPTConfig, parameterCount, trainingFlopsPerToken } from "../model/config.ts";
import type { Batch, EvalReport, StepReport } from "../train/trainer.ts";
import type { Objective } from "../tuning/spec.ts";
import { TrialConfigError } from "./config-error.ts";
import {
  isObjectiveMetric,
  type MetricDefinition,
  objectiveMetrics,
  type TrialMetrics,
  trialMetrics,
} from "./metric-definitions.ts";
import type { TrialTask } from "./settings.ts";

export function stepMetrics(report: StepReport) {
  return {
    train_loss: report.trainLoss,
    lr: report.learningRate,
    grad_norm: report.gradNorm,
    tokens_per_s: report.tokensPerSecond,
    ...(report.batchSize === undefined ? {} : { effective_batch_size: report.batchSize }),
    ...(report.noiseScale === undefined ? {} : { noise_scale: report.noiseScale }),
  } satisfies TrialMetrics;
}

export function evaluationMetrics(report: EvalReport) {
  return {
    val_loss: report.validationLoss,
    val_perplexity: report.perplexity,
    ...(report.accuracy === undefined ? {} : { val_accuracy: report.accuracy }),
    ...report.generationMetrics,
  } satisfies TrialMetrics;
}

export function modelMetrics(config: GPTConfig) {
  return {
    param_count: parameterCount(config),
    flops_per_token: trainingFlopsPerToken(config),
  } satisfies TrialMetrics;
}

/**
 * What a model that knows only how often each token (for a classifier, each label) occurs in the
 * validation targets scores on them: the bar training has to clear. Every target weighs the same,
 * as in the trainer's evaluation (rows of equal length, weighted by rows).
 */
export function baselineMetrics(validation: readonly Batch[]): TrialMetrics {
  const classifier = validation.some((batch) => "labels" in batch);
  // Instruction batches are scored on their trained-on targets only.
  const targets = validation.flatMap((batch) => {
    if ("labels" in batch) return Array.from(batch.labels);
    if ("lossMask" in batch) return Array.from(batch.targets).filter((_, i) => batch.lossMask[i]);
    return Array.from(batch.targets);
  });
  return {
    baseline_val_loss: unigramEntropy(targets),
    ...(classifier ? { baseline_val_accuracy: majorityShare(targets) } : {}),
  };
}

/** Throws a TrialConfigError unless every objective is a metric that trials of this task report. */
export function checkObjectives(objectives: readonly Objective[], task: TrialTask) {
  const problems = objectives.flatMap(({ metric }) => {
    if (!isObjectiveMetric(metric)) {
      return [
        `objective metric "${metric}" is not one trials report at evaluations or at the end (use one of ${[...objectiveMetrics].join(", ")})`,
      ];
    }
    const definition: MetricDefinition = trialMetrics[metric];
    return definition.tasks !== undefined && !definition.tasks.includes(task)
      ? [
          `objective metric "${metric}" is reported only by ${definition.tasks.join(" and ")} trials, this one is ${task}`,
        ]
      : [];
  });
  if (problems.length > 0) throw new TrialConfigError(problems);
}

/** An objective's value from a trial's metrics (its final results, or those at an evaluation). */
export function objectiveValue(metric: string, metrics: TrialMetrics): number {
  if (!isObjectiveMetric(metric)) {
    throw new Error(
      `"${metric}" is not an objective metric (use one of ${[...objectiveMetrics].join(", ")})`,
    );
  }
  const value = metrics[metric];
  if (value === undefined) {
    throw new Error(
      `the trial has no "${metric}" value yet (it has ${Object.keys(metrics).join(", ") || "no metrics"})`,
    );
  }
  return value;
}
