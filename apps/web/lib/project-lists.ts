// How a project's studies and strategy runs read in its lists: the objectives a study optimises,
// its best values, and one line for what a strategy run found, with what a recommended batch size
// costs.
import type { ParamValue, StudySpec } from "@attune/core/spec";
import { type CostAdvice, changeCost, type Pricing } from "./cost-advice.ts";
import { formatNumber } from "./format.ts";

/** "val_loss 1.234", or one pair per objective of a multi-objective study; "–" with no best yet. */
export function bestValuesText(
  spec: Pick<StudySpec, "objectives">,
  bestValues: readonly number[] | null,
): string {
  if (!bestValues || bestValues.length === 0) return "–";
  return bestValues
    .map((value, index) => {
      const metric = spec.objectives[index]?.metric;
      return metric ? `${metric} ${formatNumber(value)}` : formatNumber(value);
    })
    .join(" · ");
}

export const STRATEGY_KIND_LABELS: Record<string, string> = {
  "lr-range-test": "LR range test",
  "batch-size-cross-validation": "Batch size (cross-validation)",
  "batch-size-sweep": "Batch size (sweep)",
  "gradient-noise-scale": "Gradient noise scale",
};

export function strategyKindLabel(kind: string): string {
  return STRATEGY_KIND_LABELS[kind] ?? kind;
}

/** The model a strategy run starts from, as its settings name it; none: random weights. */
export function strategyRunModel(run: { settings: Record<string, unknown> }): string | undefined {
  const { model } = run.settings;
  return typeof model === "string" ? model : undefined;
}

function numberField(result: Record<string, unknown>, key: string): number | undefined {
  const value = result[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** What a strategy run found, in one line; its error when it failed, "–" while it has no result. */
export function strategyResultSummary(run: {
  kind: string;
  status: string;
  result: Record<string, unknown> | null;
  error: string | null;
}): string {
  if (run.status === "failed") return run.error ? `Failed: ${run.error}` : "Failed";
  const { result } = run;
  if (!result) return "–";
  if (run.kind === "lr-range-test") {
    const suggested = numberField(result, "suggestedLr");
    const minLoss = numberField(result, "minLossLr");
    if (suggested === undefined) return "–";
    const parts = [`suggested LR ${formatNumber(suggested)}`];
    if (minLoss !== undefined) parts.push(`lowest loss at ${formatNumber(minLoss)}`);
    if (result.diverged === true) parts.push("diverged before the maximum LR");
    return parts.join(", ");
  }
  const recommended = numberField(result, "recommended");
  if (recommended === undefined) return "–";
  const text = `recommended batch size ${recommended}`;
  const noiseScale = numberField(result, "simpleNoiseScale");
  return noiseScale === undefined ? text : `${text} (noise scale ${formatNumber(noiseScale)})`;
}

/**
 * What a batch-size strategy's recommendation costs per step against the batch size its trials
 * trained with (stored with the run's settings); undefined for other runs and before a result.
 */
export function batchSizeCost(
  run: { kind: string; result: Record<string, unknown> | null; settings: Record<string, unknown> },
  pricing: Pricing,
): CostAdvice | undefined {
  if (run.kind === "lr-range-test" || !run.result) return undefined;
  const recommended = numberField(run.result, "recommended");
  if (recommended === undefined) return undefined;
  const trial = run.settings.trial;
  const settings =
    typeof trial === "object" && trial !== null ? (trial as Record<string, ParamValue>) : {};
  return changeCost({ settings, change: { batch_size: recommended }, pricing });
}
