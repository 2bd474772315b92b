import { describe, expect, it } from "vitest";
import { MedianPruner } from "../../../src/tuning/pruners/median.ts";
import type { StudyHistory } from "../../../src/tuning/types.ts";
import { curve, study, trial } from "./history.ts";

// Completed curves at steps 1-4; their medians are 5, 4, 3, 2 at steps 1-4.
const completed = [
  curve(0, "completed", [5, 4, 3, 2]),
  curve(1, "completed", [6, 5, 4, 3]),
  curve(2, "completed", [4, 3, 2, 1]),
];
const pruner = new MedianPruner({ startupTrials: 2, warmupSteps: 1, intervalSteps: 2 });

describe("MedianPruner", () => {
  it("follows a trial through warm-up, interval and median checks (worked by hand)", () => {
    const history = study(completed);
    // Step 0 is inside the warm-up.
    expect(pruner.decide(trial(3, "running", [[0, 10]]), history).action).toBe("continue");
    // Step 1 is a check: best 4.5 is better than the median 5.
    const step1 = trial(3, "running", [
      [0, 10],
      [1, 4.5],
    ]);
    expect(pruner.decide(step1, history).action).toBe("continue");
    // Step 2 is between checks (1, 3, 5...), so 4.2 against a median of 4 is not judged.
    const step2 = trial(3, "running", [
      [0, 10],
      [1, 4.5],
      [2, 4.2],
    ]);
    expect(pruner.decide(step2, history).action).toBe("continue");
    // Step 3 is a check: best 4.1 is worse than the median 3.
    const step3 = trial(3, "running", [
      [0, 10],
      [1, 4.5],
      [2, 4.2],
      [3, 4.1],
    ]);
    expect(pruner.decide(step3, history)).toEqual({
      action: "prune",
      reason: "best value 4.1 by step 3 is worse than the median 3 of 3 completed trials there",
    });
  });

  it("waits for the start-up trials and ignores running and pruned ones", () => {
    const history = study([
      completed[0] as (typeof completed)[0],
      curve(1, "running", [1, 1, 1]),
      curve(2, "pruned", [1, 1, 1]),
    ]);
    expect(pruner.decide(curve(3, "running", [9, 9, 9]), history).action).toBe("continue");
  });

  it("checks the first report past a check point when reports skip steps", () => {
    // Reports at 1 then 4: step 4 is the first report since check point 3; median there is 2.
    const good = trial(3, "running", [
      [1, 6],
      [4, 1.5],
    ]);
    expect(pruner.decide(good, study(completed)).action).toBe("continue");
    const bad = trial(3, "running", [
      [1, 6],
      [4, 2.5],
    ]);
    expect(pruner.decide(bad, study(completed)).action).toBe("prune");
    // Nobody reported step 5, so there is nothing to compare with.
    const beyond = trial(3, "running", [
      [1, 6],
      [5, 100],
    ]);
    expect(pruner.decide(beyond, study(completed)).action).toBe("continue");
  });

  it("is direction-aware and prunes an all-NaN trial", () => {
    const negated = completed.map((t) =>
      curve(
        t.number,
        "completed",
        t.intermediate.map(({ value }) => -value),
      ),
    );
    const history = study(negated, "maximize");
    expect(pruner.decide(curve(3, "running", [-4.5]), history).action).toBe("continue");
    expect(pruner.decide(curve(3, "running", [-4.5, -4.2, -4.1]), history).action).toBe("prune");
    expect(pruner.decide(curve(3, "running", [Number.NaN]), study(completed)).action).toBe("prune");
  });

  it("refuses a multi-objective study", () => {
    const history: StudyHistory = { directions: ["minimize", "maximize"], trials: completed };
    expect(() => pruner.decide(curve(3, "running", [1]), history)).toThrow(/single-objective/);
  });
});
