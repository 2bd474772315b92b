// The parallel-coordinates plot of a study: one axis per searched parameter (categories for
// categorical ones, a log axis for log-scaled ones), one per objective, and one line per finished
// trial coloured by its first objective, so the settings of the best trials stand out together;
// trials that broke a measured constraint are drawn grey and dashed.
import { rangeDecimals } from "./format.ts";
import type { ObjectiveSpec, TableTrial } from "./trial-table.ts";

/** The part of a search space's parameter the axes need (packages/core's ParamSpec fits). */
export type AxisParam =
  | { type: "float"; low: number; high: number; log?: boolean }
  | { type: "int"; low: number; high: number; log?: boolean }
  | { type: "categorical"; choices: readonly (number | string | boolean)[] }
  | { type: "fixed"; value: unknown };

/** What a trial shows on an axis where it has no value (an inactive conditional parameter). */
export const MISSING = "–";

/** Best to worst, for the first objective. */
export const GOOD_TO_BAD = ["#1c7ed6", "#74c0fc", "#ffd43b", "#f76707", "#c92a2a"];
/** Curves of trials still training, and of trials without a value (pruned, failed, cancelled). */
export const RUNNING_COLOR = "#7048e8";
export const NO_VALUE_COLOR = "#adb5bd";

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** The colour `fraction` (0 best, 1 worst) of the way along GOOD_TO_BAD. */
export function goodToBad(fraction: number): string {
  const position = Math.min(1, Math.max(0, fraction)) * (GOOD_TO_BAD.length - 1);
  const low = Math.floor(position);
  const high = Math.min(GOOD_TO_BAD.length - 1, low + 1);
  const [a, b] = [hexToRgb(GOOD_TO_BAD[low] as string), hexToRgb(GOOD_TO_BAD[high] as string)];
  const mix = a.map((channel, index) =>
    Math.round(channel + (position - low) * ((b[index] as number) - channel)),
  );
  return `#${mix.map((channel) => channel.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * A colour per trial for its curve, matching the parallel plot: by rank on the first objective
 * among trials that have a value (best blue, worst red), running trials in violet, others grey.
 */
export function trialColors(
  trials: readonly TableTrial[],
  objective: ObjectiveSpec | undefined,
): Map<string, string> {
  const colors = new Map<string, string>();
  const scored = trials.filter(
    (trial) => trial.state !== "running" && Number.isFinite(trial.values?.[0]),
  );
  const sign = objective?.direction === "maximize" ? -1 : 1;
  scored.sort((a, b) => sign * ((a.values?.[0] as number) - (b.values?.[0] as number)));
  scored.forEach((trial, rank) => {
    colors.set(trial.id, goodToBad(scored.length > 1 ? rank / (scored.length - 1) : 0));
  });
  for (const trial of trials) {
    if (colors.has(trial.id)) continue;
    colors.set(trial.id, trial.state === "running" ? RUNNING_COLOR : NO_VALUE_COLOR);
  }
  return colors;
}

export interface ParallelInput {
  searchSpace: Record<string, AxisParam>;
  /** Parameters to show, in order (see parameterNames); missing from the space means categories. */
  parameters: readonly string[];
  objectives: readonly ObjectiveSpec[];
  trials: readonly TableTrial[];
}

interface Axis {
  dim: number;
  name: string;
  type: "value" | "log" | "category";
  data?: string[];
  min?: number;
  max?: number;
}

function categoryLabel(value: unknown): string {
  return value === undefined || value === null ? MISSING : String(value);
}

/**
 * The range of first-objective values the colours span: from the best to the 90th percentile
 * towards the worst, so that a few diverged trials do not paint every other line the same colour.
 */
export function colourRange(scores: readonly number[], maximize: boolean): [number, number] {
  if (scores.length === 0) return [0, 1];
  const sorted = [...scores].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))] as number;
  const [low, high] = maximize ? [at(0.1), at(1)] : [at(0), at(0.9)];
  return high > low ? [low, high] : [low, low + 1];
}

/**
 * The ECharts option: `parallelAxis`, a `parallel` series of the feasible trials whose data items
 * are named by trial id (so a click finds its trial) and a `visualMap` colouring them by the first
 * objective, then a grey series of the infeasible ones. Only trials with every objective's value
 * are drawn.
 */
export function parallelCoordinatesOption({
  searchSpace,
  parameters,
  objectives,
  trials,
}: ParallelInput) {
  const drawn = trials.filter(
    (trial) =>
      trial.values !== null &&
      trial.values.length >= objectives.length &&
      trial.values.every((value) => Number.isFinite(value)),
  );
  const axes: Axis[] = [];
  const cells: ((trial: TableTrial) => number | string)[] = [];
  for (const name of parameters) {
    const param = searchSpace[name];
    if (param?.type === "fixed") continue;
    const dim = axes.length;
    if (param?.type === "float" || param?.type === "int") {
      // A log axis cannot place a missing value; such trials show at the axis' low end instead.
      const log = param.log === true && param.low > 0;
      axes.push({ dim, name, type: log ? "log" : "value", min: param.low, max: param.high });
      cells.push((trial) => {
        const value = trial.params[name];
        return typeof value === "number" ? value : param.low;
      });
    } else {
      const seen = new Set<string>(param ? param.choices.map(categoryLabel) : []);
      for (const trial of drawn) seen.add(categoryLabel(trial.params[name]));
      axes.push({ dim, name, type: "category", data: [...seen] });
      cells.push((trial) => categoryLabel(trial.params[name]));
    }
  }
  const firstObjective = axes.length;
  objectives.forEach((objective, index) => {
    axes.push({ dim: axes.length, name: objective.metric, type: "value" });
    cells.push((trial) => trial.values?.[index] as number);
  });

  const item = (trial: TableTrial) => ({ name: trial.id, value: cells.map((read) => read(trial)) });
  const feasible = drawn.filter((trial) => trial.feasibility?.feasible !== false);
  const infeasible = drawn.filter((trial) => trial.feasibility?.feasible === false);
  const maximize = objectives[0]?.direction === "maximize";
  const [low, high] = colourRange(
    feasible.map((trial) => trial.values?.[0] as number),
    maximize,
  );

  return {
    animation: false,
    tooltip: { trigger: "item" },
    parallel: { left: 60, right: 130, top: 40, bottom: 30 },
    parallelAxis: axes.map((axis) => ({
      ...axis,
      nameLocation: "end",
      nameTextStyle: { fontSize: 11 },
      ...(axis.type === "value" || axis.type === "log" ? { scale: true } : {}),
    })),
    visualMap: objectives[0]
      ? {
          type: "continuous",
          show: true,
          seriesIndex: 0,
          dimension: firstObjective,
          min: low,
          max: high,
          calculable: true,
          right: 0,
          top: "middle",
          itemHeight: 120,
          // ECharts rounds the ends' labels to whole numbers unless told how many decimals.
          precision: rangeDecimals(low, high),
          text: [objectives[0].metric, ""],
          inRange: { color: maximize ? [...GOOD_TO_BAD].reverse() : GOOD_TO_BAD },
        }
      : undefined,
    series: [
      {
        type: "parallel",
        name: "feasible",
        data: feasible.map(item),
        smooth: false,
        lineStyle: { width: 1, opacity: 0.45 },
        emphasis: { lineStyle: { width: 3, opacity: 1 } },
        // Drawn in one go: progressive rendering would animate 500 lines in over several frames.
        progressive: 0,
      },
      {
        type: "parallel",
        name: "infeasible",
        data: infeasible.map(item),
        smooth: false,
        lineStyle: { width: 1, opacity: 0.45, color: NO_VALUE_COLOR, type: "dashed" },
        emphasis: { lineStyle: { width: 3, opacity: 1 } },
        progressive: 0,
      },
    ],
  };
}
