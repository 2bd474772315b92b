// A member's replayable schedule from a lineage, worked by hand: a copy inherits the source's
// schedule up to the copied checkpoint (as Ray Tune's PBT copies the cloned trial's policy log
// before appending its own change, ray/tune/schedulers/pbt.py `_log_config_on_step`).
import { describe, expect, it } from "vitest";
import { type LineageRound, memberSchedule } from "../../../src/tuning/pbt/lineage.ts";

const round = (
  member: number,
  step: number,
  lr: number,
  copy?: [from: number, at: number],
): LineageRound => ({
  member,
  step,
  params: { lr, layers: 2 },
  ...(copy ? { copiedFrom: copy[0], copiedStep: copy[1] } : {}),
});

describe("memberSchedule", () => {
  // Two members, rounds at 10 and 20: at 10, 1 copies 0 (lr 0.1 → 0.08); at 20, 0 copies 1
  // (lr 0.08 → 0.064).
  const rounds = [
    round(0, 0, 0.1),
    round(1, 0, 0.01),
    round(0, 10, 0.1),
    round(1, 10, 0.08, [0, 10]),
    round(0, 20, 0.064, [1, 20]),
    round(1, 20, 0.08),
  ];

  it("is a member's own rounds while it copies nobody, keeping only changes", () => {
    expect(memberSchedule(rounds.slice(0, 3), 0)).toEqual([
      { step: 0, params: { lr: 0.1, layers: 2 } },
    ]);
  });

  it("follows each copy back to the source's schedule before the copied checkpoint", () => {
    // 1 trained with 0's lr 0.1 to step 10 (0's weights), then with 0.08.
    expect(memberSchedule(rounds, 1)).toEqual([
      { step: 0, params: { lr: 0.1, layers: 2 } },
      { step: 10, params: { lr: 0.08, layers: 2 } },
    ]);
    // 0 copied 1 at 20: 1's schedule to 20 (itself 0's to 10), then 0.064; 0's own first 10
    // steps at 0.1 are the same values, and 1's own lr 0.01 never trained these weights.
    expect(memberSchedule(rounds, 0)).toEqual([
      { step: 0, params: { lr: 0.1, layers: 2 } },
      { step: 10, params: { lr: 0.08, layers: 2 } },
      { step: 20, params: { lr: 0.064, layers: 2 } },
    ]);
  });

  it("switches at the copied checkpoint's step when it is past the round", () => {
    const late = [
      round(0, 0, 0.1),
      round(1, 0, 0.01),
      round(0, 10, 0.1),
      round(1, 10, 0.05, [0, 20]),
    ];
    expect(memberSchedule(late, 1)).toEqual([
      { step: 0, params: { lr: 0.1, layers: 2 } },
      { step: 20, params: { lr: 0.05, layers: 2 } },
    ]);
  });
});
