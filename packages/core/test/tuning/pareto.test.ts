import { describe, expect, it } from "vitest";
import {
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
});
