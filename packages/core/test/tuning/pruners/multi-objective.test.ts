import { describe, expect, it } from "vitest";
import { MultiObjectivePruner } from "../../../src/tuning/pruners/multi-objective.ts";
import type { StudyHistory, TrialRecord, TrialState } from "../../../src/tuning/types.ts";

/** A trial reporting (loss, accuracy) vectors at steps 1, 2, ... */
function vectors(number: number, state: TrialState, reports: [number, number][]): TrialRecord {
  return {
    number,
    params: {},
    state,
    intermediate: [],
    intermediateValues: reports.map((values, i) => ({ step: i + 1, values })),
  };
}

// Minimise the loss, maximise the accuracy.
const history: StudyHistory = {
  directions: ["minimize", "maximize"],
  trials: [
    vectors(0, "completed", [
      [1.0, 0.5],
      [0.8, 0.6],
    ]),
    vectors(1, "completed", [
      [0.9, 0.4],
      [0.7, 0.7],
    ]),
    vectors(2, "completed", [
      [1.2, 0.7],
      [0.9, 0.8],
    ]),
  ],
};
const pruner = new MultiObjectivePruner({
  startupTrials: 2,
  warmupSteps: 0,
  intervalSteps: 1,
  dominatedBy: 2,
});
const decide = (reports: [number, number][], on = history) =>
  pruner.decide(vectors(3, "running", reports), on);

describe("MultiObjectivePruner", () => {
  it("prunes a trial dominated by at least k completed trials at the same step (worked by hand)", () => {
    // Step 1, (1.1, 0.45): only trial 0 (1.0, 0.5) dominates it; trial 1 has lower accuracy and
    // trial 2 a higher loss.
    expect(decide([[1.1, 0.45]]).action).toBe("continue");
    // Step 2, (0.95, 0.55): all three dominate it.
    expect(
      decide([
        [1.1, 0.45],
        [0.95, 0.55],
      ]),
    ).toEqual({
      action: "prune",
      reason: "(0.95, 0.55) at step 2 is dominated by 3 completed trials (0, 1, 2)",
    });
    // Step 2, (0.75, 0.65): only trial 1 (0.7, 0.7) dominates it.
    expect(
      decide([
        [1.1, 0.45],
        [0.75, 0.65],
      ]).action,
    ).toBe("continue");
    const strict = new MultiObjectivePruner({
      startupTrials: 2,
      warmupSteps: 0,
      intervalSteps: 1,
      dominatedBy: 1,
    });
    expect(
      strict.decide(
        vectors(3, "running", [
          [1.1, 0.45],
          [0.75, 0.65],
        ]),
        history,
      ).action,
    ).toBe("prune");
  });

  it("keeps trade-offs and ties: only being beaten on every objective counts", () => {
    // The lowest loss with the worst accuracy is dominated by nobody.
    expect(
      decide([
        [1.1, 0.45],
        [0.6, 0.3],
      ]).action,
    ).toBe("continue");
    // A completed trial with a NaN cannot judge, however good its other value.
    const withNaN: StudyHistory = {
      ...history,
      trials: [
        ...history.trials,
        vectors(4, "completed", [
          [0.1, 0.9],
          [Number.NaN, 0.99],
        ]),
      ],
    };
    expect(
      decide(
        [
          [1.1, 0.45],
          [0.75, 0.65],
        ],
        withNaN,
      ).action,
    ).toBe("continue");
    // Equal to trial 0 is not dominated by it; trial 1 alone dominates.
    expect(
      decide([
        [1.1, 0.45],
        [0.8, 0.6],
      ]).action,
    ).toBe("continue");
  });

  it("waits for start-up trials, prunes NaN and rejects vectors of the wrong length", () => {
    const early: StudyHistory = { ...history, trials: history.trials.slice(0, 1) };
    expect(decide([[9, 0]], early).action).toBe("continue");
    expect(decide([[Number.NaN, 0.5]]).action).toBe("prune");
    const wrong: TrialRecord = {
      ...vectors(3, "running", []),
      intermediateValues: [{ step: 1, values: [1] }],
    };
    expect(() => pruner.decide(wrong, history)).toThrow(
      /reported 1 values at step 1 for 2 objectives/,
    );
  });
});
