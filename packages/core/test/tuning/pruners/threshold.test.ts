import { describe, expect, it } from "vitest";
import { ThresholdPruner } from "../../../src/tuning/pruners/threshold.ts";
import { curve, study } from "./history.ts";

describe("ThresholdPruner", () => {
  const pruner = new ThresholdPruner({ lower: 0, upper: 10, patience: 3, minDelta: 0.1 });
  const decide = (values: number[], direction: "minimize" | "maximize" = "minimize") =>
    pruner.decide(curve(0, "running", values), study([], direction));

  it("prunes NaN, infinite and out-of-bounds values", () => {
    expect(decide([5, Number.NaN])).toEqual({ action: "prune", reason: "NaN at step 2" });
    expect(decide([5, Number.POSITIVE_INFINITY]).action).toBe("prune");
    expect(decide([-1])).toEqual({ action: "prune", reason: "-1 at step 1 is below 0" });
    expect(decide([11])).toEqual({ action: "prune", reason: "11 at step 1 is above 10" });
    expect(decide([0, 10]).action).toBe("continue");
  });

  it("prunes after `patience` reports without improving by minDelta (worked by hand)", () => {
    // Not enough reports yet to judge.
    expect(decide([5, 4, 3.95]).action).toBe("continue");
    // Best before the last 3 is 4; the last 3 reach 3.91, not below 4 - 0.1.
    expect(decide([5, 4, 3.95, 3.92, 3.91])).toEqual({
      action: "prune",
      reason: "no improvement by 0.1 on 4 in the last 3 reports at step 5 (best 3.91)",
    });
    // 3.89 beats 3.9, so the trial is still improving.
    expect(decide([5, 4, 3.95, 3.92, 3.89]).action).toBe("continue");
    // Maximising: best before is 2, the last 3 reach 2.09, not above 2.1.
    expect(decide([1, 2, 2.05, 2.08, 2.09], "maximize").action).toBe("prune");
    expect(decide([1, 2, 2.05, 2.08, 2.11], "maximize").action).toBe("continue");
  });

  it("only checks bounds when no patience is set", () => {
    const bounds = new ThresholdPruner({ upper: 10, minDelta: 0 });
    expect(bounds.decide(curve(0, "running", [5, 5, 5, 5, 5, 5]), study([])).action).toBe(
      "continue",
    );
    expect(bounds.decide(curve(0, "running", [-100]), study([])).action).toBe("continue");
  });
});
