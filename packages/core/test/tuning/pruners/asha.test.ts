import { describe, expect, it } from "vitest";
import { AshaPruner } from "../../../src/tuning/pruners/asha.ts";
import type { TrialRecord } from "../../../src/tuning/types.ts";
import { study, trial } from "./history.ts";

describe("AshaPruner", () => {
  it("places rungs at minResource·η^k below maxResource and rejects bad options", () => {
    const options = { minResource: 1, maxResource: 27, reductionFactor: 3, mode: "prune" } as const;
    expect(new AshaPruner(options).rungs).toEqual([1, 3, 9]);
    expect(
      new AshaPruner({ ...options, minResource: 2, maxResource: 16, reductionFactor: 2 }).rungs,
    ).toEqual([2, 4, 8]);
    expect(() => new AshaPruner({ ...options, reductionFactor: 1 })).toThrow(/reductionFactor/);
    expect(() => new AshaPruner({ ...options, minResource: 0 })).toThrow(/minResource/);
  });

  it("passes a trial only in the top 1/η of its rung (worked by hand, trials arriving in order)", () => {
    // η = 3, rungs at steps 1 and 3; trial 0 completed with 0.5, 0.4, 0.3 at steps 1, 3, 9.
    const pruner = new AshaPruner({
      minResource: 1,
      maxResource: 9,
      reductionFactor: 3,
      mode: "prune",
    });
    const trials: TrialRecord[] = [
      trial(0, "completed", [
        [1, 0.5],
        [3, 0.4],
        [9, 0.3],
      ]),
    ];
    const arrive = (number: number, value: number) => {
      const arrival = trial(number, "running", [[1, value]]);
      const decision = pruner.decide(arrival, study(trials));
      trials.push({ ...arrival, state: decision.action === "continue" ? "running" : "pruned" });
      return decision.action;
    };
    // 2 values at rung 0: fewer than η, so only the best passes (0.5); 0.9 is pruned.
    expect(arrive(1, 0.9)).toBe("prune");
    // 3 values: top 1 is 0.4 itself.
    expect(arrive(2, 0.4)).toBe("continue");
    // 4 and 5 values: top 1 is 0.4.
    expect(arrive(3, 0.6)).toBe("prune");
    expect(arrive(4, 0.45)).toBe("prune");
    // 6 values: top 2 are 0.4 and 0.45, so 0.45 would pass now but 0.7 does not.
    expect(arrive(5, 0.7)).toBe("prune");
    expect(pruner.decide(trial(6, "running", [[1, 0.45]]), study(trials)).action).toBe("continue");
    expect(pruner.promotions(study(trials))).toEqual([]);
  });

  it("judges only the rungs a report has just crossed", () => {
    const pruner = new AshaPruner({
      minResource: 1,
      maxResource: 9,
      reductionFactor: 3,
      mode: "prune",
    });
    const history = study([
      trial(0, "completed", [
        [1, 0.1],
        [3, 0.1],
        [9, 0.1],
      ]),
      trial(1, "completed", [
        [1, 0.2],
        [3, 0.2],
        [9, 0.2],
      ]),
    ]);
    // Step 2 is between rungs: no judgement however bad.
    expect(
      pruner.decide(
        trial(2, "running", [
          [1, 0.1],
          [2, 9],
        ]),
        history,
      ).action,
    ).toBe("continue");
    // Reporting only at step 4 crosses rungs 1 and 3; at rung 1 (step 1) values are 0.1, 0.2, 0.15
    // so 0.15 is outside the top 1 and the trial is pruned there.
    expect(pruner.decide(trial(2, "running", [[4, 0.15]]), history)).toEqual({
      action: "prune",
      reason: "value 0.15 at rung 0 (step 1) is not in the top 1/3 of 3 trials there",
    });
    // At the full budget there is nothing left to judge.
    expect(
      pruner.decide(
        trial(2, "running", [
          [1, 0.05],
          [3, 0.05],
          [9, 5],
        ]),
        history,
      ).action,
    ).toBe("continue");
  });

  it("is direction-aware and prunes NaN at a rung", () => {
    const pruner = new AshaPruner({
      minResource: 1,
      maxResource: 4,
      reductionFactor: 2,
      mode: "pause",
    });
    const history = study(
      [
        trial(0, "completed", [
          [1, 0.8],
          [2, 0.8],
          [4, 0.8],
        ]),
      ],
      "maximize",
    );
    expect(pruner.decide(trial(1, "running", [[1, 0.9]]), history).action).toBe("continue");
    expect(pruner.decide(trial(1, "running", [[1, 0.7]]), history).action).toBe("pause");
    expect(pruner.decide(trial(1, "running", [[1, Number.NaN]]), history).action).toBe("prune");
  });

  describe("pause mode", () => {
    // η = 2, rungs at steps 1, 2, 4, full budget 8; minimising.
    const pruner = new AshaPruner({
      minResource: 1,
      maxResource: 8,
      reductionFactor: 2,
      mode: "pause",
    });
    const atRungZero = [0.5, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95, 0.96, 0.97];
    const trials: TrialRecord[] = [
      trial(0, "paused", [
        [1, 0.3],
        [2, 0.2],
      ]),
      trial(1, "completed", [
        [1, 0.1],
        [2, 0.1],
        [4, 0.1],
        [8, 0.1],
      ]),
      trial(2, "running", [
        [1, 0.2],
        [2, 0.3],
      ]),
      trial(3, "paused", [
        [1, 0.35],
        [2, 0.45],
      ]),
      ...atRungZero.map((value, i) => trial(4 + i, "paused", [[1, value]])),
    ];

    it("promotes the paused trials now in the top 1/η, highest rung first (worked by hand)", () => {
      // Rung 1 (step 2) holds 0.2, 0.1, 0.3, 0.45: the top 2 end at 0.2, so trial 0 is promoted.
      // Rung 0 (step 1) holds 13 values: the top 6 end at 0.5, so 0.4 (trial 5) and 0.5 (trial 4)
      // are promoted, best first; 0.6 and worse stay paused.
      expect(pruner.promotions(study(trials))).toEqual([0, 5, 4]);
    });

    it("pauses a trial outside the top 1/η instead of pruning it", () => {
      // With 0.45 the 14 values' top 7 end at 0.5; with 0.65 they end at 0.6.
      expect(pruner.decide(trial(13, "running", [[1, 0.45]]), study(trials)).action).toBe(
        "continue",
      );
      expect(pruner.decide(trial(13, "running", [[1, 0.65]]), study(trials))).toEqual({
        action: "pause",
        reason: "value 0.65 at rung 0 (step 1) is not in the top 1/2 of 14 trials there",
      });
    });

    it("resumes a promoted trial from its checkpoint without judging it again at its rung", () => {
      const resumed = trial(0, "running", [
        [1, 0.3],
        [2, 0.2],
        [3, 0.18],
      ]);
      const others = trials.filter((t) => t.number !== 0);
      expect(pruner.decide(resumed, study([...others, resumed])).action).toBe("continue");
      // At rung 2 (step 4) only trial 1 (0.1) is there: 0.15 is not the best of 2, so it pauses again.
      const atNextRung = trial(0, "running", [
        [1, 0.3],
        [2, 0.2],
        [3, 0.18],
        [4, 0.15],
      ]);
      expect(pruner.decide(atNextRung, study([...others, atNextRung])).action).toBe("pause");
    });

    it("promotes nothing in prune mode", () => {
      const pruning = new AshaPruner({
        minResource: 1,
        maxResource: 8,
        reductionFactor: 2,
        mode: "prune",
      });
      expect(pruning.promotions(study(trials))).toEqual([]);
    });
  });
});
