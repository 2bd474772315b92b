/**
 * The metric keys trials report, in one place: when each is reported, which can be a study
 * objective and which way is better. Keys are snake_case, as users write them in a study's
 * objectives. Plain data (and the generation metrics' plain data), so a browser page can read it
 * without loading the spec's schemas.
 */
import { type GenerationMetricKey, generationMetrics } from "../eval/metric-definitions.ts";
import type { TrialTask } from "./settings.ts";

export interface MetricDefinition {
  /** A short name for forms and charts. */
  label: string;
  /** After every step, at every evaluation, or once, fixed by the model config or the data. */
  reported: "step" | "evaluation" | "once";
  /** Whether a study may optimise it: it has a value at every evaluation and at the end. */
  objective: boolean;
  /** Which values are better, where a study may optimise it. */
  better?: "lower" | "higher";
  /** Its values span orders of magnitude, so a chart reads best on a log axis. */
  logScale?: boolean;
  /** Only trials of these tasks report it. */
  tasks?: readonly TrialTask[];
  description: string;
}

const baseMetrics = {
  val_loss: {
    label: "Validation loss",
    reported: "evaluation",
    objective: true,
    better: "lower",
    description: "Validation loss.",
  },
  val_accuracy: {
    label: "Validation accuracy",
    reported: "evaluation",
    objective: true,
    better: "higher",
    tasks: ["classification"],
    description: "Share of validation samples classified right.",
  },
  train_loss: {
    label: "Training loss",
    reported: "step",
    objective: false,
    description: "Training loss of the step.",
  },
  val_perplexity: {
    label: "Validation perplexity",
    reported: "evaluation",
    objective: true,
    better: "lower",
    logScale: true,
    description: "exp(val_loss).",
  },
  lr: {
    label: "Learning rate",
    reported: "step",
    objective: false,
    logScale: true,
    description: "Learning rate of the step.",
  },
  grad_norm: {
    label: "Gradient norm",
    reported: "step",
    objective: false,
    logScale: true,
    description: "Global gradient norm before clipping.",
  },
  tokens_per_s: {
    label: "Tokens per second",
    reported: "step",
    objective: true,
    better: "higher",
    description: "Training throughput of the step; as a result, the trial's mean.",
  },
  effective_batch_size: {
    label: "Effective batch size",
    reported: "step",
    objective: false,
    description:
      "Sequences in the step: batch_size × the microbatches it averages (batch_schedule noise-scale trials report it).",
  },
  noise_scale: {
    label: "Gradient noise scale",
    reported: "step",
    objective: false,
    logScale: true,
    description:
      "B_noise = tr(Σ)/‖G‖² in sequences, from moving averages of its numerator and denominator: the batch a noise-scale trial grows towards (absent while the noise swamps ‖G‖²).",
  },
  param_count: {
    label: "Parameter count",
    reported: "once",
    objective: true,
    better: "lower",
    description: "Trainable weights.",
  },
  baseline_val_loss: {
    label: "Baseline validation loss",
    reported: "once",
    objective: false,
    description:
      "Validation loss of a model that knows only how often each token (for classification, each label) occurs in the validation data: the unigram entropy, which val_loss has to beat.",
  },
  baseline_val_accuracy: {
    label: "Baseline validation accuracy",
    reported: "once",
    objective: false,
    tasks: ["classification"],
    description:
      "Share of validation samples in the commonest label: the accuracy of always guessing it.",
  },
  flops_per_token: {
    label: "FLOPs per token",
    reported: "once",
    objective: true,
    better: "lower",
    description: "Training FLOPs per token (6N plus attention).",
  },
} as const satisfies Record<string, MetricDefinition>;

/** The tasks whose trials generate completions at each evaluation and score them. */
export const generatingTasks = ["instruction", "dialogue"] as const satisfies TrialTask[];

/** Scores of the completions generated for the evaluation's validation prompts. */
const evaluationGenerationMetrics = Object.fromEntries(
  (Object.keys(generationMetrics) as GenerationMetricKey[]).map((key) => {
    const { label, description } = generationMetrics[key];
    const labelled = generationMetrics[key].tasks.some((task) => task === "classification");
    const definition: MetricDefinition = {
      label,
      reported: "evaluation",
      objective: true,
      better: "higher",
      tasks: generatingTasks,
      description: labelled
        ? `${description} Only where the completions are labels (at most 20 distinct ones).`
        : description,
    };
    return [key, definition];
  }),
) as Record<GenerationMetricKey, MetricDefinition & { tasks: typeof generatingTasks }>;

export const trialMetrics = { ...baseMetrics, ...evaluationGenerationMetrics };

export type MetricKey = keyof typeof trialMetrics;
/** Metric values by key; a key is absent until it has been measured. */
export type TrialMetrics = Partial<Record<MetricKey, number>>;

const metricKeys = Object.keys(trialMetrics) as MetricKey[];

/** The keys a study objective may name. */
export const objectiveMetrics: ReadonlySet<MetricKey> = new Set(
  metricKeys.filter((key) => trialMetrics[key].objective),
);

export function isObjectiveMetric(key: string): key is MetricKey {
  return objectiveMetrics.has(key as MetricKey);
}

/** Whether the metric is measured at evaluations (and so can tell a better checkpoint). */
export function isEvaluationMetric(key: string): key is MetricKey {
  return key in trialMetrics && trialMetrics[key as MetricKey].reported === "evaluation";
}
