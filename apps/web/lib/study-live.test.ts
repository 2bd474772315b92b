import { describe, expect, it } from "vitest";
import {
  budgetSummary,
  curvesToRefresh,
  isStudyFinished,
  type LiveSnapshot,
  percent,
  resultsChanged,
  snapshotMatches,
} from "./study-live.ts";
import type { TableTrial } from "./trial-table.ts";

function snapshot(fields: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    status: "running",
    trialsByState: {},
    bestTrialId: null,
    bestValues: null,
    runningTrials: [],
    ...fields,
  };
}

const running = (trialId: string, latestStep: number | null) => ({
  trialId,
  number: 0,
  latestStep,
});

describe("curvesToRefresh", () => {
  it("reads every running trial on the first snapshot", () => {
    expect(curvesToRefresh(undefined, snapshot({ runningTrials: [running("a", 3)] }))).toEqual([
      "a",
    ]);
  });

  it("reads trials that moved on or stopped running, not those that stood still", () => {
    const before = snapshot({
      runningTrials: [running("a", 10), running("b", 5), running("c", null)],
    });
    const after = snapshot({
      runningTrials: [running("a", 12), running("c", null), running("d", null)],
    });
    expect(curvesToRefresh(before, after)).toEqual(["a", "d", "b"]);
  });
});

describe("resultsChanged", () => {
  it("says so when trials finished, the best changed or the study changed status", () => {
    const before = snapshot({ trialsByState: { completed: 2, running: 1 } });
    expect(resultsChanged(undefined, before)).toBe(false);
    expect(resultsChanged(before, snapshot({ trialsByState: { completed: 2, running: 1 } }))).toBe(
      false,
    );
    expect(resultsChanged(before, snapshot({ trialsByState: { completed: 2, pruned: 1 } }))).toBe(
      true,
    );
    expect(
      resultsChanged(before, { ...before, bestTrialId: "x" }) &&
        resultsChanged(before, { ...before, status: "paused" }),
    ).toBe(true);
  });
});

describe("snapshotMatches", () => {
  it("compares status, best trial and the count of trials in each state", () => {
    const shown = {
      status: "running",
      bestTrialId: "b",
      trials: [{ state: "completed" }, { state: "running" }, { state: "completed" }],
    };
    const same = snapshot({ bestTrialId: "b", trialsByState: { running: 1, completed: 2 } });
    expect(snapshotMatches(same, shown)).toBe(true);
    expect(snapshotMatches({ ...same, trialsByState: { running: 1, completed: 3 } }, shown)).toBe(
      false,
    );
    expect(snapshotMatches({ ...same, trialsByState: { completed: 2 } }, shown)).toBe(false);
    expect(snapshotMatches({ ...same, status: "paused" }, shown)).toBe(false);
    expect(snapshotMatches({ ...same, bestTrialId: null }, shown)).toBe(false);
  });
});

describe("budgetSummary", () => {
  const trial = (state: string, lastStep: number) =>
    ({
      id: state,
      number: 0,
      state,
      values: null,
      params: {},
      lastStep,
      attempts: 1,
      startedAt: null,
      finishedAt: null,
    }) satisfies TableTrial;

  it("counts finished trials, steps trained and time spent against the budget", () => {
    const started = new Date("2026-01-01T00:00:00Z");
    const summary = budgetSummary(
      { trials: 10, stepsPerTrial: 100, wallTimeMinutes: 60 },
      [trial("completed", 100), trial("pruned", 30), trial("running", 150), trial("queued", 0)],
      { startedAt: started, finishedAt: null },
      started.getTime() + 15 * 60_000,
    );
    expect(summary).toEqual({
      trials: { finished: 2, total: 10 },
      steps: { done: 230, total: 1000 },
      time: { elapsedMs: 15 * 60_000, totalMs: 60 * 60_000 },
    });
  });

  it("leaves out what the budget does not count", () => {
    expect(
      budgetSummary(
        { trials: 3, tokensPerTrial: 1000 },
        [],
        { startedAt: null, finishedAt: null },
        0,
      ),
    ).toEqual({ trials: { finished: 0, total: 3 } });
  });
});

describe("study status", () => {
  it("stops live updates once the study is finished", () => {
    expect(["completed", "cancelled", "failed"].every(isStudyFinished)).toBe(true);
    expect(["draft", "running", "paused"].some(isStudyFinished)).toBe(false);
  });

  it("bounds progress to 0..100", () => {
    expect(percent(5, 10)).toBe(50);
    expect(percent(20, 10)).toBe(100);
    expect(percent(1, 0)).toBe(0);
  });
});
