import { describe, expect, it } from "vitest";
import { type FairShareInput, fairShares, type StudyDemand } from "../src/fair-share.ts";

function study(
  studyId: string,
  teamId: string,
  wanted: number,
  more: Partial<StudyDemand> = {},
): StudyDemand {
  return { studyId, teamId, wanted, active: 0, priority: 0, ...more };
}

function shares(slots: number, studies: StudyDemand[], quotas: [string, number][] = []) {
  const input: FairShareInput = { slots, studies, teamQuotas: new Map(quotas) };
  return Object.fromEntries(fairShares(input));
}

describe("fair shares of the runners' slots", () => {
  it("gives a team alone every slot its studies want, and no more", () => {
    expect(shares(4, [study("huge", "a", 200, { active: 4 })])).toEqual({ huge: 4 });
    expect(shares(4, [study("small", "a", 2)])).toEqual({ small: 2 });
  });

  it("keeps a slot for a second team's one trial, and the rest for the first team", () => {
    expect(shares(4, [study("huge", "a", 200, { active: 4 }), study("one", "b", 1)])).toEqual({
      huge: 3,
      one: 1,
    });
  });

  it("splits slots evenly between teams that want them all, the odd slot to the one holding it", () => {
    expect(shares(4, [study("x", "a", 50), study("y", "b", 50)])).toEqual({ x: 2, y: 2 });
    expect(shares(5, [study("x", "a", 50), study("y", "b", 50, { active: 5 })])).toEqual({
      x: 2,
      y: 3,
    });
  });

  it("splits between teams, not studies: many studies earn a team nothing more", () => {
    const many = Array.from({ length: 6 }, (_, i) => study(`a${i}`, "a", 10));
    const result = shares(8, [...many, study("b0", "b", 10)]);
    expect(result.b0).toBe(4);
    expect(many.reduce((total, s) => total + (result[s.studyId] ?? 0), 0)).toBe(4);
  });

  it("gives every team with work one trial even with more teams than slots, or no runner", () => {
    expect(shares(2, [study("x", "a", 9), study("y", "b", 9), study("z", "c", 9)])).toEqual({
      x: 1,
      y: 1,
      z: 1,
    });
    expect(shares(0, [study("x", "a", 9), study("y", "b", 9)])).toEqual({ x: 1, y: 1 });
    expect(shares(0, [study("idle", "a", 0)])).toEqual({ idle: 0 });
  });

  it("holds a team to its quota even when slots are left over", () => {
    expect(shares(8, [study("x", "a", 50), study("y", "b", 1)], [["a", 2]])).toEqual({
      x: 2,
      y: 1,
    });
  });

  it("serves a team's higher-priority studies first, without taking slots from other teams", () => {
    const result = shares(8, [
      study("low", "a", 10),
      study("high", "a", 3, { priority: 5 }),
      study("other", "b", 10),
    ]);
    expect(result).toEqual({ high: 3, low: 1, other: 4 });
  });

  it("splits a team's slots evenly between studies of the same priority, oldest first", () => {
    expect(shares(3, [study("old", "a", 10), study("new", "a", 10)])).toEqual({ old: 2, new: 1 });
  });
});
