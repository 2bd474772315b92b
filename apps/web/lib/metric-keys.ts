// The series trials write that a chart can draw (packages/core/src/trial/metrics.ts, kept apart
// here because that module reaches the trainer, which the browser must not load).

const STEP_AND_EVALUATION_METRICS = [
  "val_loss",
  "train_loss",
  "val_perplexity",
  "lr",
  "grad_norm",
  "tokens_per_s",
] as const;

/** Metric keys to offer in a chart's picker, validation loss first. */
export function curveMetrics(task: string | undefined): string[] {
  return task === "classification"
    ? ["val_loss", "val_accuracy", ...STEP_AND_EVALUATION_METRICS.slice(1)]
    : [...STEP_AND_EVALUATION_METRICS];
}

/** A metric whose values span orders of magnitude reads best on a log axis. */
export function prefersLogScale(metric: string): boolean {
  return metric === "lr" || metric === "val_perplexity" || metric === "grad_norm";
}
