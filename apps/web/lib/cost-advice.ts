// What a recommendation costs, in words: the compute per step against the setting it replaces,
// and seconds per step and per trial at the speed the team's runners measured (core's trialCost).
// Without a measurement only the relative cost is known, and the advice says so.
import {
  type Budget,
  type ParamValue,
  type TrialCost,
  trialCost,
  trialSettingsSchema,
} from "@attune/core/spec";
import { formatDuration } from "./format.ts";

/** A trial this many times longer than the one it replaces is worth a warning. */
export const MUCH_LONGER = 4;

export interface CostAdvice {
  text: string;
  /** Set when a trial would take much longer than now, or longer than the study may run. */
  warning?: string;
}

export interface Pricing {
  /** The dataset's vocabulary, which sizes the model's embeddings. */
  vocabSize: number;
  /** The runners' measured speed (runners.throughput); null when none has measured one yet. */
  flopsPerSecond: number | null;
}

const NOT_MEASURED = "no runner has measured its speed yet, so only the relative cost is known";

/** Seconds as people read a step or a run: "0.42 s", "2.1 s", "7 min 10 s". */
export function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${Number(seconds.toPrecision(2))} s` : formatDuration(seconds * 1000);
}

/** "≈ 34×", "≈ 2.1×", "≈ 0.5×": two significant digits below 10, whole numbers above. */
function formatRatio(ratio: number): string {
  return `≈ ${ratio >= 10 ? Math.round(ratio) : Number(ratio.toPrecision(2))}×`;
}

function priced(settings: Record<string, ParamValue>, budget: Budget, pricing: Pricing) {
  return trialCost({
    settings,
    vocabSize: pricing.vocabSize,
    budget,
    flopsPerSecond: pricing.flopsPerSecond ?? undefined,
  });
}

/**
 * The cost of changing `settings` by `change` (a recommendation): compute per step against now,
 * and, with a measured speed, seconds per step and per trial of the budget. Without a budget (no
 * study to fit, as for a batch-size search's result) only per step. Undefined when either setting
 * makes no model.
 */
export function changeCost(input: {
  settings: Record<string, ParamValue>;
  change: Record<string, ParamValue>;
  pricing: Pricing;
  budget?: Budget;
  /** The study's wall-time limit. */
  wallTimeMinutes?: number;
}): CostAdvice | undefined {
  const { settings, change, pricing, budget } = input;
  const now = priced(settings, budget ?? { steps: 1 }, pricing);
  const changed = priced({ ...settings, ...change }, budget ?? { steps: 1 }, pricing);
  if (!now || !changed) return undefined;
  // The settings as a trial fills them in, so that a default reads as its value.
  const filled: Record<string, unknown> = trialSettingsSchema.safeParse(settings).data ?? settings;
  const was = Object.keys(change)
    .map((name) => `${name} ${filled[name]}`)
    .join(", ");
  const stepRatio = changed.flopsPerStep / now.flopsPerStep;
  const relative =
    Math.abs(stepRatio - 1) < 0.05
      ? `about the same compute per step as ${was}`
      : `${formatRatio(stepRatio)} the compute per step of ${was}`;
  return {
    text: `${relative}; ${timeText(changed, budget !== undefined)}`,
    warning: budget && trialWarning(changed, now, input.wallTimeMinutes),
  };
}

/** The cost of one run of `steps` steps with these settings (an LR range test). */
export function runCost(input: {
  settings: Record<string, ParamValue>;
  steps: number;
  pricing: Pricing;
}): CostAdvice | undefined {
  const cost = priced(input.settings, { steps: input.steps }, input.pricing);
  if (!cost) return undefined;
  if (cost.secondsPerStep === undefined || cost.secondsPerTrial === undefined) {
    return { text: `${input.steps} steps; ${NOT_MEASURED}` };
  }
  return {
    text: `about ${formatSeconds(cost.secondsPerStep)} per step, ${formatSeconds(cost.secondsPerTrial)} for its ${input.steps} steps on your runners`,
  };
}

function timeText(cost: TrialCost, perTrial: boolean): string {
  if (cost.secondsPerStep === undefined || cost.secondsPerTrial === undefined) return NOT_MEASURED;
  const trial = perTrial ? `, ${formatSeconds(cost.secondsPerTrial)} per trial` : "";
  return `about ${formatSeconds(cost.secondsPerStep)} per step${trial} on your runners`;
}

function trialWarning(
  changed: TrialCost,
  now: TrialCost,
  wallTimeMinutes: number | undefined,
): string | undefined {
  const seconds = changed.secondsPerTrial;
  if (seconds !== undefined && wallTimeMinutes !== undefined && seconds > wallTimeMinutes * 60) {
    return `One trial would take about ${formatSeconds(seconds)}, longer than the study's whole wall-time limit of ${wallTimeMinutes} min.`;
  }
  const ratio = changed.flopsPerTrial / now.flopsPerTrial;
  if (ratio < MUCH_LONGER) return undefined;
  const times =
    seconds !== undefined && now.secondsPerTrial !== undefined
      ? ` (about ${formatSeconds(seconds)} instead of ${formatSeconds(now.secondsPerTrial)})`
      : "";
  return `Each trial would take ${formatRatio(ratio).slice(2)} as long as now${times}: shorten the trials or expect the study to take that much longer.`;
}
