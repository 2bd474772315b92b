// Reading a trial's reports and summarising values, shared by the pruners. Reports are in increasing step order; these work
// on both the scalar `intermediate` and the vector `intermediateValues` of a TrialRecord.

import type { Direction } from "../types.ts";
import { isBetter } from "./pruner.ts";

interface Report {
  step: number;
}

/** The report at exactly this step, if any. */
export function reportAt<R extends Report>(reports: readonly R[], step: number): R | undefined {
  return reports.find((report) => report.step === step);
}

/** The first report at or after this step: what a trial that reports every few steps had there. */
export function firstReportFrom<R extends Report>(
  reports: readonly R[],
  step: number,
): R | undefined {
  return reports.find((report) => report.step >= step);
}

/**
 * Whether the latest report is due a check: past the warm-up, and the first report at or after the
 * latest check point (warmupSteps + k·intervalSteps). Trials that report at irregular steps are
 * still checked once per interval, as Optuna's median pruner does.
 */
export function isCheckDue(
  reports: readonly Report[],
  warmupSteps: number,
  intervalSteps: number,
): boolean {
  const step = reports.at(-1)?.step;
  if (step === undefined || step < warmupSteps) return false;
  const latestCheck =
    warmupSteps + Math.floor((step - warmupSteps) / intervalSteps) * intervalSteps;
  const previousStep = reports.at(-2)?.step ?? Number.NEGATIVE_INFINITY;
  return previousStep < latestCheck;
}

/** The best value among reports, ignoring NaN; NaN when every value is NaN. */
export function bestValue(reports: readonly { value: number }[], direction: Direction): number {
  return reports.reduce(
    (best, { value }) => (isBetter(value, best, direction) ? value : best),
    Number.NaN,
  );
}

/** The median, averaging the middle two of an even count; NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
