// The study dashboard's trial table: which columns it has (number, state, one per objective, one
// per parameter, steps, attempts, duration), how each sorts, and the state filter. Every trial of a
// study is in the browser at once, so sorting and filtering happen here, without a round trip.

import type { TrialState } from "@attune/db/states";

/** Every trial state, in the order the state filter lists them. */
export const TRIAL_STATES: readonly TrialState[] = [
  "running",
  "queued",
  "paused",
  "completed",
  "pruned",
  "failed",
  "cancelled",
];

/** The fields of a trial the table reads. */
export interface TableTrial {
  id: string;
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, unknown>;
  lastStep: number;
  attempts: number;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
  /** Whether it met the study's measured constraints; null or absent where not known. */
  feasibility?: { feasible: boolean } | null;
}

export interface ObjectiveSpec {
  metric: string;
  direction: "minimize" | "maximize";
}

export type CellValue = number | string | boolean | null;

export interface TrialColumn {
  id: string;
  label: string;
  /** Right-aligned, and sorted as numbers. */
  numeric: boolean;
  value(trial: TableTrial, now: number): CellValue;
}

export type SortDirection = "asc" | "desc";

export interface TrialSort {
  column: string;
  direction: SortDirection;
}

function time(at: Date | string | null): number | null {
  if (at === null) return null;
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** How long the trial has trained: to its finish, or to now while it runs; null before it starts. */
export function trialDuration(trial: TableTrial, now: number): number | null {
  const started = time(trial.startedAt);
  if (started === null) return null;
  return Math.max(0, (time(trial.finishedAt) ?? now) - started);
}

/**
 * The parameters to show as columns: the search space's in its order, then any others the trials
 * have (a warm start from a different space, or a spec changed by hand), sorted by name.
 */
export function parameterNames(
  searchSpace: Record<string, { type: string }>,
  trials: readonly TableTrial[],
): string[] {
  const names = Object.entries(searchSpace)
    .filter(([, param]) => param.type !== "fixed")
    .map(([name]) => name);
  const known = new Set(names);
  const extra = new Set<string>();
  for (const trial of trials) {
    for (const name of Object.keys(trial.params)) if (!known.has(name)) extra.add(name);
  }
  return [...names, ...[...extra].sort()];
}

function cell(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") {
    return value;
  }
  return JSON.stringify(value);
}

export function trialColumns(
  objectives: readonly ObjectiveSpec[],
  parameters: readonly string[],
): TrialColumn[] {
  return [
    { id: "number", label: "#", numeric: true, value: (trial) => trial.number },
    { id: "state", label: "state", numeric: false, value: (trial) => trial.state },
    ...objectives.map(
      (objective, index): TrialColumn => ({
        id: `objective:${index}`,
        label: objective.metric,
        numeric: true,
        value: (trial) => trial.values?.[index] ?? null,
      }),
    ),
    ...parameters.map(
      (name): TrialColumn => ({
        id: `param:${name}`,
        label: name,
        numeric: false,
        value: (trial) => cell(trial.params[name]),
      }),
    ),
    { id: "steps", label: "steps", numeric: true, value: (trial) => trial.lastStep },
    { id: "attempts", label: "attempts", numeric: true, value: (trial) => trial.attempts },
    { id: "duration", label: "duration", numeric: true, value: trialDuration },
  ];
}

const stateOrder = new Map<string, number>(TRIAL_STATES.map((state, index) => [state, index]));

/** Numbers before text before booleans; numbers by value, text by natural order. */
function compareCells(a: CellValue, b: CellValue): number {
  const rank = (value: CellValue) =>
    typeof value === "number" ? 0 : typeof value === "string" ? 1 : 2;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b))
      return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    return a - b;
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * The trials sorted by one column. Empty cells (no value yet, an inactive parameter) come last in
 * either direction; ties keep trial-number order, so the table never shuffles equal rows.
 */
export function sortTrials<T extends TableTrial>(
  trials: readonly T[],
  columns: readonly TrialColumn[],
  sort: TrialSort,
  now: number,
): T[] {
  const column = columns.find((candidate) => candidate.id === sort.column) ?? columns[0];
  if (!column) return [...trials];
  const sign = sort.direction === "asc" ? 1 : -1;
  const keyed = trials.map((trial) => {
    const value = column.value(trial, now);
    const key: CellValue = column.id === "state" ? (stateOrder.get(String(value)) ?? 99) : value;
    return { trial, key };
  });
  keyed.sort((a, b) => {
    if (a.key === null || b.key === null) {
      if (a.key === b.key) return a.trial.number - b.trial.number;
      return a.key === null ? 1 : -1;
    }
    return sign * compareCells(a.key, b.key) || a.trial.number - b.trial.number;
  });
  return keyed.map((entry) => entry.trial);
}

/** The first click on a column sorts it the way people read it first; the next click flips it. */
export function nextSort(current: TrialSort, column: TrialColumn): TrialSort {
  if (current.column === column.id) {
    return { column: column.id, direction: current.direction === "asc" ? "desc" : "asc" };
  }
  // Numbers of trials and objective values read best smallest first; time and steps largest first.
  const descFirst = ["steps", "attempts", "duration"].includes(column.id);
  return { column: column.id, direction: descFirst ? "desc" : "asc" };
}

/** The trials in one of `states`; every trial when no state is chosen. */
export function filterTrials<T extends TableTrial>(
  trials: readonly T[],
  states: ReadonlySet<string>,
): T[] {
  if (states.size === 0) return [...trials];
  return trials.filter((trial) => states.has(trial.state));
}

/** How many trials are in each state, in lifecycle order, leaving out states nobody is in. */
export function countStates(trials: readonly TableTrial[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const trial of trials) counts.set(trial.state, (counts.get(trial.state) ?? 0) + 1);
  return [...counts].sort(
    ([a], [b]) => (stateOrder.get(a) ?? 99) - (stateOrder.get(b) ?? 99) || a.localeCompare(b),
  );
}

/**
 * The default sort: by the first objective, best first, when the study has one; otherwise by
 * number.
 */
export function defaultSort(objectives: readonly ObjectiveSpec[]): TrialSort {
  const first = objectives[0];
  if (!first) return { column: "number", direction: "asc" };
  return { column: "objective:0", direction: first.direction === "minimize" ? "asc" : "desc" };
}
