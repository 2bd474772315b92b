import { describe, expect, it } from "vitest";
import {
  budgetSummary,
  curvesToRefresh,
  isCurveOf,
  isStudyFinished,
  type LiveSnapshot,
  liveStoppedText,
  percent,
  resultsChanged,
  snapshotMatches,
  trialCurveKey,
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

describe("reading curves", () => {
  // A model of the database and of the dashboard's curve cache, as study-data.ts uses it: a
  // reading per trialCurveKey, read when a shown trial has none, and read again when the live
  // view refreshes it (refreshCurves marks every reading of the trial stale).
  function setup() {
    const db = new Map<string, { state: string; points: number }>();
    const readings = new Map<string, number>();
    let list: { id: string; state: string }[] = [];
    let previous: LiveSnapshot | undefined;
    const key = (trial: { id: string; state: string }) =>
      JSON.stringify(trialCurveKey("s", "val_loss", 200, trial));
    const read = (trial: { id: string; state: string }) =>
      readings.set(key(trial), db.get(trial.id)?.points ?? 0);
    const show = () => {
      for (const trial of list) if (!readings.has(key(trial))) read(trial);
    };
    return {
      /** The runner: a trial's state and how many points it has stored. */
      write(id: string, state: string, points: number) {
        db.set(id, { state, points });
      },
      /** The list of trials read again. */
      listTrials() {
        list = [...db].map(([id, trial]) => ({ id, state: trial.state }));
        show();
      },
      /** A live snapshot arrives. */
      snapshot() {
        const next = snapshot({
          runningTrials: [...db]
            .filter(([, trial]) => trial.state === "running")
            .map(([id, trial]) => running(id, trial.points)),
        });
        const ids = new Set(curvesToRefresh(previous, next));
        previous = next;
        for (const stale of [...readings.keys()]) {
          if (isCurveOf(JSON.parse(stale), "s", ids)) readings.delete(stale);
        }
        show();
      },
      /** The points the page shows for a trial. */
      shown(id: string) {
        const trial = list.find((entry) => entry.id === id);
        return trial ? readings.get(key(trial)) : undefined;
      },
    };
  }

  it("reads a trial that appears finished once it has finished", () => {
    const page = setup();
    page.snapshot();
    page.write("t", "running", 2);
    page.write("t", "completed", 4);
    page.snapshot();
    page.listTrials();
    expect(page.shown("t")).toBe(4);
  });

  it("reads again a trial that appeared running and finished between two snapshots", () => {
    const page = setup();
    page.snapshot();
    page.write("t", "running", 0);
    page.listTrials();
    expect(page.shown("t")).toBe(0);
    page.write("t", "completed", 4);
    page.snapshot();
    page.listTrials();
    expect(page.shown("t")).toBe(4);
  });

  it("ends with the final points whether the snapshot or the list arrives first", () => {
    const snapshotFirst = setup();
    snapshotFirst.write("t", "running", 1);
    snapshotFirst.snapshot();
    snapshotFirst.listTrials();
    snapshotFirst.write("t", "running", 3);
    snapshotFirst.snapshot();
    expect(snapshotFirst.shown("t")).toBe(3);
    snapshotFirst.write("t", "completed", 4);
    snapshotFirst.snapshot();
    expect(snapshotFirst.shown("t")).toBe(4);
    snapshotFirst.listTrials();
    expect(snapshotFirst.shown("t")).toBe(4);

    const listFirst = setup();
    listFirst.write("t", "running", 1);
    listFirst.listTrials();
    listFirst.snapshot();
    listFirst.write("t", "completed", 4);
    listFirst.listTrials();
    expect(listFirst.shown("t")).toBe(4);
    listFirst.snapshot();
    expect(listFirst.shown("t")).toBe(4);
  });

  it("reads again a trial read while queued once it runs", () => {
    const page = setup();
    page.write("t", "queued", 0);
    page.listTrials();
    page.write("t", "running", 2);
    page.listTrials();
    expect(page.shown("t")).toBe(2);
  });

  it("keys a reading by study, metric, points, trial and state", () => {
    const key = trialCurveKey("s", "val_loss", 200, { id: "t", state: "running" });
    expect(key).toEqual(["trial-curve", "s", "val_loss", 200, "t", "running"]);
    expect(isCurveOf(key, "s", new Set(["t"]))).toBe(true);
    expect(isCurveOf(key, "other", new Set(["t"]))).toBe(false);
    expect(isCurveOf(key, "s", new Set(["u"]))).toBe(false);
    expect(isCurveOf(["study-trials", "s"], "s", new Set(["t"]))).toBe(false);
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

describe("liveStoppedText", () => {
  it("says the viewer lost access when the stream ends for it, and to reload otherwise", () => {
    expect(liveStoppedText("NOT_FOUND")).toBe("You no longer have access to this study");
    expect(liveStoppedText("FORBIDDEN")).toBe("You no longer have access to this study");
    expect(liveStoppedText("UNAUTHORIZED")).toBe(
      "Your session has ended; sign in again for live updates",
    );
    expect(liveStoppedText(undefined)).toBe("Live updates stopped; reload to resume");
  });
});
