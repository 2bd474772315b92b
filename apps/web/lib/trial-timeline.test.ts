import { describe, expect, it } from "vitest";
import { type TimelineTrial, trialTimeline } from "./trial-timeline.ts";

const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));

function trial(overrides: Partial<TimelineTrial>): TimelineTrial {
  return {
    state: "queued",
    queuedAt: t(0),
    startedAt: null,
    finishedAt: null,
    updatedAt: t(0),
    attempts: 0,
    pauseReason: null,
    error: null,
    lastStep: 0,
    audit: [],
    ...overrides,
  };
}

type AuditEntry = TimelineTrial["audit"][number];

function audit(action: string, seconds: number, viaKey = false): AuditEntry {
  return {
    id: seconds,
    teamId: "team",
    actorUserId: "user",
    actorApiKeyId: viaKey ? "key" : null,
    action,
    targetType: action.split(".")[0] ?? "",
    targetId: "target",
    details: {},
    createdAt: t(seconds),
    actor: { name: "Ada", email: "ada@example.com" },
  };
}

const summary = (events: ReturnType<typeof trialTimeline>) =>
  events.map((event) => [event.title, event.at?.getUTCSeconds() ?? null, event.detail]);

describe("trialTimeline", () => {
  it("shows a trial no runner has taken yet as queued only", () => {
    expect(summary(trialTimeline(trial({})))).toEqual([["Queued", 0, undefined]]);
  });

  it("orders the recorded times, with who paused and resumed the study", () => {
    const events = trialTimeline(
      trial({
        state: "completed",
        startedAt: t(5),
        finishedAt: t(50),
        updatedAt: t(50),
        attempts: 1,
        lastStep: 60,
        audit: [audit("study.pause", 20), audit("study.resume", 30, true)],
      }),
    );
    expect(summary(events)).toEqual([
      ["Queued", 0, undefined],
      ["Training started", 5, undefined],
      ["Study paused", 20, "by ada@example.com"],
      ["Study resumed", 30, "by ada@example.com (with an API key)"],
      ["Completed", 50, "after 60 steps"],
    ]);
    expect(events.some((event) => event.current)).toBe(false);
  });

  it("puts undated restarts after the first start and says why it failed", () => {
    const events = trialTimeline(
      trial({
        state: "failed",
        startedAt: t(5),
        finishedAt: t(40),
        attempts: 3,
        lastStep: 12,
        error: "diverged: loss is not finite",
      }),
    );
    expect(summary(events)).toEqual([
      ["Queued", 0, undefined],
      ["Training started", 5, undefined],
      [
        "Restarted 2 times",
        null,
        "after a runner was lost, each time from the last checkpoint (when is not recorded)",
      ],
      ["Failed", 40, "diverged: loss is not finite"],
    ]);
  });

  it("gives the reason of a pause, a prune and a cancellation", () => {
    const rung = trialTimeline(
      trial({
        state: "paused",
        pauseReason: "rung",
        startedAt: t(1),
        updatedAt: t(9),
        attempts: 1,
        error: "below the top third at step 20",
      }),
    ).at(-1);
    expect(rung).toMatchObject({
      title: "Paused",
      current: true,
      detail: "held at a pruner's rung until it is promoted: below the top third at step 20",
    });
    const studyPause = trialTimeline(
      trial({
        state: "paused",
        pauseReason: "study",
        startedAt: t(1),
        updatedAt: t(9),
        lastStep: 20,
        attempts: 1,
      }),
    ).at(-1);
    expect(studyPause?.detail).toBe(
      "its study is paused; it resumes from step 20 when the study does",
    );

    const pruned = trialTimeline(
      trial({
        state: "pruned",
        startedAt: t(1),
        finishedAt: t(3),
        lastStep: 1,
        error: "median rule",
      }),
    ).at(-1);
    expect(pruned).toMatchObject({ title: "Pruned", detail: "after 1 step: median rule" });

    const cancelled = trialTimeline(
      trial({ state: "cancelled", finishedAt: t(4), audit: [audit("trial.cancel", 4)] }),
    );
    expect(summary(cancelled)).toEqual([
      ["Queued", 0, undefined],
      ["Cancel requested", 4, "by ada@example.com"],
      ["Cancelled", 4, "after 0 steps"],
    ]);
  });

  it("tells a trial back in the queue from one that never started", () => {
    const requeued = trialTimeline(
      trial({ state: "queued", startedAt: t(1), updatedAt: t(8), lastStep: 30, attempts: 1 }),
    ).at(-1);
    expect(requeued).toMatchObject({
      title: "Back in the queue",
      at: t(8),
      current: true,
      detail: "waiting for a runner to continue from step 30",
    });
    const running = trialTimeline(
      trial({ state: "running", startedAt: t(1), updatedAt: t(6), lastStep: 7, attempts: 1 }),
    ).at(-1);
    expect(running).toMatchObject({ title: "Training", detail: "at step 7", current: true });
  });
});

it("puts where the trial is now last, even when its time is stamped a little early", () => {
  const events = trialTimeline(
    trial({ state: "running", startedAt: t(5), updatedAt: t(4), attempts: 1, lastStep: 3 }),
  );
  expect(events.map((event) => event.title)).toEqual(["Queued", "Training started", "Training"]);
});
