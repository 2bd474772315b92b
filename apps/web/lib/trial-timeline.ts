// A trial's history as far as it is recorded: the trial row keeps when it was queued, first started
// and finished, how many times training started, and its current state with the reason for it; the
// audit log keeps what people did (cancelling the trial, pausing or resuming its study). Pauses and
// resumes by the pruner and restarts after lost runners have no times of their own, so the timeline
// says what the columns say and no more.
import { FINISHED_TRIAL_STATES } from "@attune/db/states";
import { formatNumber } from "./format.ts";
import type { RouterOutputs } from "./trpc.tsx";

export type TrialView = RouterOutputs["trials"]["get"];
export type TrialState = TrialView["state"];

export function isTrialFinished(state: TrialState): boolean {
  return FINISHED_TRIAL_STATES.includes(state);
}

export type TimelineKind = "queued" | "started" | "restarted" | "request" | TrialState;

export interface TimelineEvent {
  kind: TimelineKind;
  /** Null for what happened at a time nobody recorded. */
  at: Date | null;
  title: string;
  detail?: string;
  /** The state the trial is in now; `at` is then when it entered it (its row's last change). */
  current?: boolean;
}

export type TimelineTrial = Pick<
  TrialView,
  | "state"
  | "queuedAt"
  | "startedAt"
  | "finishedAt"
  | "updatedAt"
  | "attempts"
  | "pauseReason"
  | "error"
  | "lastStep"
  | "audit"
>;

type AuditEntry = TrialView["audit"][number];

function actorOf(entry: AuditEntry): string {
  const who = entry.actor?.email ?? "a deleted user";
  return entry.actorApiKeyId ? `${who} (with an API key)` : who;
}

const REQUEST_TITLES: Record<string, string> = {
  "study.pause": "Study paused",
  "study.resume": "Study resumed",
  "study.cancel": "Study cancelled",
  "trial.cancel": "Cancel requested",
};

function steps(count: number): string {
  return `${formatNumber(count)} step${count === 1 ? "" : "s"}`;
}

/** Where the trial is now, for a trial that has not finished. */
function currentEvent(trial: TimelineTrial): TimelineEvent | undefined {
  switch (trial.state) {
    case "running":
      return {
        kind: "running",
        at: trial.updatedAt,
        title: "Training",
        detail: `at step ${formatNumber(trial.lastStep)}`,
        current: true,
      };
    case "paused":
      return {
        kind: "paused",
        at: trial.updatedAt,
        title: "Paused",
        detail:
          trial.pauseReason === "study"
            ? `its study is paused; it resumes from step ${formatNumber(trial.lastStep)} when the study does`
            : `held at a pruner's rung until it is promoted${trial.error ? `: ${trial.error}` : ""}`,
        current: true,
      };
    case "queued":
      // Back in the queue after training began: a resumed pause, a promotion or a runner that stopped.
      return trial.startedAt
        ? {
            kind: "queued",
            at: trial.updatedAt,
            title: "Back in the queue",
            detail: `waiting for a runner to continue from step ${formatNumber(trial.lastStep)}`,
            current: true,
          }
        : undefined;
    default:
      return undefined;
  }
}

/** How the trial ended, for a finished one. */
function endEvent(trial: TimelineTrial): TimelineEvent | undefined {
  const at = trial.finishedAt ?? trial.updatedAt;
  const after = `after ${steps(trial.lastStep)}`;
  switch (trial.state) {
    case "completed":
      return { kind: "completed", at, title: "Completed", detail: after };
    case "failed":
      return {
        kind: "failed",
        at,
        title: "Failed",
        detail: trial.error ?? `${after}, no error recorded`,
      };
    case "pruned":
      return {
        kind: "pruned",
        at,
        title: "Pruned",
        detail: trial.error ? `${after}: ${trial.error}` : after,
      };
    case "cancelled":
      return { kind: "cancelled", at, title: "Cancelled", detail: after };
    default:
      return undefined;
  }
}

/**
 * The trial's events, oldest first, and where it is now (or how it ended) last; the undated
 * restarts stand right after the first start.
 */
export function trialTimeline(trial: TimelineTrial): TimelineEvent[] {
  const dated: TimelineEvent[] = [
    { kind: "queued", at: trial.queuedAt, title: "Queued" },
    ...trial.audit.map(
      (entry): TimelineEvent => ({
        kind: "request",
        at: entry.createdAt,
        title: REQUEST_TITLES[entry.action] ?? entry.action,
        detail: `by ${actorOf(entry)}`,
      }),
    ),
  ];
  if (trial.startedAt)
    dated.push({ kind: "started", at: trial.startedAt, title: "Training started" });
  // Stable: an event recorded in the same instant as another keeps the order above.
  const events = dated.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  // Last whatever the clocks say: runners and the database stamp times on different clocks.
  const now = isTrialFinished(trial.state) ? endEvent(trial) : currentEvent(trial);
  if (now) events.push(now);
  const restarts = trial.attempts - 1;
  if (restarts > 0) {
    const restarted: TimelineEvent = {
      kind: "restarted",
      at: null,
      title: `Restarted ${restarts === 1 ? "once" : `${restarts} times`}`,
      detail: "after a runner was lost, each time from the last checkpoint (when is not recorded)",
    };
    const started = events.findIndex((event) => event.kind === "started");
    events.splice(started + 1, 0, restarted);
  }
  return events;
}
