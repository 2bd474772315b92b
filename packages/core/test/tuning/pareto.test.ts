import { describe, expect, it } from "vitest";
import {
  constrainedFronts,
  crowdingDistances,
  dominates,
  nonDominatedFronts,
  paretoFront,
} from "../../src/tuning/pareto.ts";
import type { TrialRecord } from "../../src/tuning/types.ts";

function trial(
  number: number,
  values: number[] | undefined,
  state: TrialRecord["state"] = "completed",
): TrialRecord {
  return { number, params: { n: number }, state, ...(values ? { values } : {}), intermediate: [] };
}

describe("Pareto front", () => {
  it("keeps the completed trials nothing dominates, for mixed directions", () => {
    // Objectives: validation loss (minimise) and tokens per second (maximise).
    const trials = [
      trial(0, [2.0, 100]), // front: fastest
      trial(1, [1.5, 80]), // front
      trial(2, [1.2, 50]), // front: lowest loss
      trial(3, [1.6, 70]), // dominated by 1
      trial(4, [2.0, 90]), // dominated by 0
      trial(5, [1.5, 80]), // ties with 1: neither dominates, both stay
      trial(6, [1.0, 200], "running"), // not completed
      trial(7, [Number.NaN, 300]), // no usable loss
      trial(8, [1.1, 40], "pruned"),
      trial(9, [0.9]), // wrong number of values
    ];
    const front = paretoFront(trials, ["minimize", "maximize"]);
    expect(front.map((t) => t.number)).toEqual([0, 1, 2, 5]);
  });

  it("is the single best trial for one objective", () => {
    const trials = [trial(0, [3]), trial(1, [1]), trial(2, [2])];
    expect(paretoFront(trials, ["minimize"]).map((t) => t.number)).toEqual([1]);
    expect(paretoFront(trials, ["maximize"]).map((t) => t.number)).toEqual([0]);
  });

  it("sorts points into fronts and measures crowding", () => {
    expect(dominates([1, 1], [1, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([0, 3], [1, 2])).toBe(false);
    const points = [
      [1, 5],
      [2, 3],
      [4, 1],
      [3, 4],
      [5, 5],
      [2, 2],
    ];
    expect(nonDominatedFronts(points)).toEqual([[0, 2, 5], [1], [3], [4]]);
    // Front [0, 5, 2] sorted by both objectives: the ends are infinite, the middle one (5) gets
    // (4 - 1) / (4 - 1) + (5 - 1) / (5 - 1) = 2.
    expect(crowdingDistances(points, [0, 2, 5])).toEqual([
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      2,
    ]);
  });

  it("ranks by Deb's constrained domination: feasible fronts, then infeasible by violation", () => {
    // Optuna's _fast_non_domination_rank with a penalty (optuna/study/_multi_objective.py): the
    // feasible points (penalty <= 0) by non-dominated sort, then the rest by penalty, ties sharing.
    const points = [
      [1, 5], // feasible, front 0
      [0, 0], // dominates everything but breaks a constraint by 2
      [2, 3], // feasible, front 0
      [3, 4], // feasible, dominated by [2, 3]: front 1
      [0, 1], // penalty 0.5
      [9, 9], // penalty 2, as [0, 0]
    ];
    expect(constrainedFronts(points, [0, 2, 0, 0, 0.5, 2])).toEqual([[0, 2], [3], [4], [1, 5]]);
    expect(constrainedFronts(points, [0, 0, 0, 0, 0, 0])).toEqual(nonDominatedFronts(points));
  });

  it("is drawn from the feasible trials where there are any", () => {
    const infeasible = (number: number, values: number[]) => ({
      ...trial(number, values),
      constraints: [1, -1],
    });
    const trials = [trial(0, [3]), infeasible(1, [1]), { ...trial(2, [2]), constraints: [0] }];
    expect(paretoFront(trials, ["minimize"]).map((t) => t.number)).toEqual([2]);
    expect(paretoFront([infeasible(0, [3]), infeasible(1, [1])], ["minimize"])).toHaveLength(1);
  });
});
