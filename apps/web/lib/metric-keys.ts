// The series trials write that a chart can draw, as core's metric definitions say.
import { type MetricKey, trialMetrics } from "@attune/core/spec";

const metricKeys = Object.keys(trialMetrics) as MetricKey[];

/** Metric keys to offer in a chart's picker (reported at steps or evaluations), validation loss first. */
export function curveMetrics(task: string | undefined): string[] {
  return metricKeys.filter((key) => {
    const metric = trialMetrics[key];
    const forTask =
      !("tasks" in metric) || (metric.tasks as readonly string[]).includes(task ?? "");
    return metric.reported !== "once" && forTask;
  });
}

/** A metric whose values span orders of magnitude reads best on a log axis. */
export function prefersLogScale(metric: string): boolean {
  return metric in trialMetrics && "logScale" in trialMetrics[metric as MetricKey];
}
