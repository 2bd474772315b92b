// Pareto dominance for multi-objective studies: the dashboard's front and NSGA-II's ranking, with
// Deb's constrained domination where trials have constraint values.
import { isFeasible } from "./constraints/feasibility.ts";
import type { Direction, TrialRecord } from "./types.ts";

/** Objective values turned into ones to minimise (maximised objectives negated). */
export function toMinimization(values: number[], directions: Direction[]): number[] {
  return directions.map((direction, i) => {
    const value = values[i] as number;
    return direction === "minimize" ? value : -value;
  });
}

/** Whether a is no worse than b on every objective and better on one (both to minimise). */
export function dominates(a: number[], b: number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Deb et al.'s fast non-dominated sort: indices of the points by front, the first front being the
 * points nothing dominates, the next those only the first dominates, and so on.
 */
export function nonDominatedFronts(points: number[][]): number[][] {
  const dominatedBy = points.map(() => 0);
  const dominating = points.map((): number[] => []);
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i] as number[];
      const b = points[j] as number[];
      if (dominates(a, b)) {
        dominating[i]?.push(j);
        dominatedBy[j] = (dominatedBy[j] as number) + 1;
      } else if (dominates(b, a)) {
        dominating[j]?.push(i);
        dominatedBy[i] = (dominatedBy[i] as number) + 1;
      }
    }
  }
  const fronts: number[][] = [];
  let front = points.flatMap((_, i) => (dominatedBy[i] === 0 ? [i] : []));
  while (front.length > 0) {
    fronts.push(front);
    const next: number[] = [];
    for (const i of front) {
      for (const j of dominating[i] ?? []) {
        dominatedBy[j] = (dominatedBy[j] as number) - 1;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    front = next;
  }
  return fronts;
}

/**
 * Fronts under Deb's constrained domination (Deb et al. 2002, section V; Optuna's
 * `_fast_non_domination_rank` with a penalty): the feasible points (penalty 0) by non-dominated
 * sort first, then the infeasible ones by increasing penalty, equal penalties sharing a front.
 */
export function constrainedFronts(points: number[][], penalties: number[]): number[][] {
  const feasible = points.flatMap((_, i) => ((penalties[i] as number) > 0 ? [] : [i]));
  const fronts = nonDominatedFronts(feasible.map((i) => points[i] as number[])).map((front) =>
    front.map((k) => feasible[k] as number),
  );
  const infeasible = points
    .flatMap((_, i) => ((penalties[i] as number) > 0 ? [i] : []))
    .sort((a, b) => (penalties[a] as number) - (penalties[b] as number));
  for (const [k, i] of infeasible.entries()) {
    const previous = infeasible[k - 1];
    if (previous !== undefined && penalties[previous] === penalties[i]) fronts.at(-1)?.push(i);
    else fronts.push([i]);
  }
  return fronts;
}

/**
 * Crowding distance of each point of a front (same order as `front`): the perimeter of the box
 * between its neighbours on each objective, infinite at the extremes, so selection keeps spread.
 */
export function crowdingDistances(points: number[][], front: number[]): number[] {
  const distances = front.map(() => 0);
  const objectives = points[front[0] ?? 0]?.length ?? 0;
  for (let m = 0; m < objectives; m++) {
    const value = (i: number) => (points[front[i] as number] as number[])[m] as number;
    const order = front.map((_, i) => i).sort((a, b) => value(a) - value(b));
    const first = order[0] as number;
    const last = order.at(-1) as number;
    const range = value(last) - value(first);
    distances[first] = Number.POSITIVE_INFINITY;
    distances[last] = Number.POSITIVE_INFINITY;
    if (range === 0) continue;
    for (let k = 1; k < order.length - 1; k++) {
      const i = order[k] as number;
      const gap = value(order[k + 1] as number) - value(order[k - 1] as number);
      distances[i] = (distances[i] as number) + gap / range;
    }
  }
  return distances;
}

/**
 * The completed trials no other completed trial dominates, for the given directions; only the
 * feasible ones compete where there are any (Optuna's best trials with constraints).
 */
export function paretoFront(trials: TrialRecord[], directions: Direction[]): TrialRecord[] {
  const completed = evaluatedTrials(trials, directions);
  const feasible = completed.filter(isFeasible);
  const evaluated = feasible.length > 0 ? feasible : completed;
  const points = evaluated.map((trial) => toMinimization(trial.values as number[], directions));
  return (nonDominatedFronts(points)[0] ?? []).map((i) => evaluated[i] as TrialRecord);
}

/** Completed trials with a finite value for every objective. */
export function evaluatedTrials(trials: TrialRecord[], directions: Direction[]): TrialRecord[] {
  return trials.filter(
    (trial) =>
      trial.state === "completed" &&
      trial.values?.length === directions.length &&
      trial.values.every(Number.isFinite),
  );
}
