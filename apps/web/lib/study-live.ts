// What the study dashboard does with each live snapshot (studies.live): which trials' curves to
// read again, whether the finished trials changed (and with them the analyses and best export),
// and how much of the budget is spent.
import { FINISHED_STUDY_STATUSES, FINISHED_TRIAL_STATES } from "@attune/db/states";
import type { TableTrial } from "./trial-table.ts";

/** A snapshot as studies.live sends it (packages/db's StudyProgress). */
export interface LiveSnapshot {
  status: string;
  trialsByState: Partial<Record<string, number>>;
  bestTrialId: string | null;
  bestValues: number[] | null;
  runningTrials: readonly { trialId: string; number: number; latestStep: number | null }[];
}

/** Why the live updates stopped, from the stream's tRPC error code, as the dashboard says it. */
export function liveStoppedText(code: string | undefined): string {
  // The server ends a stream with these when the caller's access ends while it runs.
  if (code === "NOT_FOUND" || code === "FORBIDDEN")
    return "You no longer have access to this study";
  if (code === "UNAUTHORIZED") return "Your session has ended; sign in again for live updates";
  return "Live updates stopped; reload to resume";
}

/** Whether the study is in a status it does not leave by itself: the live view stops there. */
export function isStudyFinished(status: string): boolean {
  return (FINISHED_STUDY_STATUSES as readonly string[]).includes(status);
}

/**
 * Trials whose curves have new points: those running with a step the last snapshot did not have,
 * and those that stopped running since (their last points, written as they finished). A trial that
 * ran entirely between two snapshots is in neither: its curve is read again when the list of
 * trials shows it in its new state (trialCurveKey).
 */
export function curvesToRefresh(previous: LiveSnapshot | undefined, next: LiveSnapshot): string[] {
  const before = new Map(
    (previous?.runningTrials ?? []).map((trial) => [trial.trialId, trial.latestStep]),
  );
  const now = new Set(next.runningTrials.map((trial) => trial.trialId));
  const changed = next.runningTrials
    .filter((trial) => !before.has(trial.trialId) || before.get(trial.trialId) !== trial.latestStep)
    .map((trial) => trial.trialId);
  const stopped = [...before.keys()].filter((trialId) => !now.has(trialId));
  return [...changed, ...stopped];
}

/** The first part of every curve query's key. */
export const CURVE_QUERY = "trial-curve";

/** The key of every reading of one trial's curve of `metric`, whatever the trial's state. */
export function trialCurvePrefix(
  studyId: string,
  metric: string,
  maxPoints: number,
  trialId: string,
) {
  return [CURVE_QUERY, studyId, metric, maxPoints, trialId] as const;
}

/**
 * The cache key of a trial's curve of `metric`, read while the trial was in `state`. A reading is
 * shown only while the list of trials says the trial is still in the state it was read in: when
 * the list shows it in another (it started, finished, was pruned or failed), its curve is read
 * again under the new key, whatever order the live snapshots and the lists arrive in. So a trial
 * that ran entirely between two snapshots, read empty when it first appeared, is read again once
 * it shows finished; and the runner stores a trial's last points before its final state, so a
 * reading in a finished state is complete and kept for good.
 */
export function trialCurveKey(
  studyId: string,
  metric: string,
  maxPoints: number,
  trial: { id: string; state: string },
) {
  return [...trialCurvePrefix(studyId, metric, maxPoints, trial.id), trial.state] as const;
}

/** Whether `queryKey` is a reading of the curve of one of `trialIds` in study `studyId`. */
export function isCurveOf(
  queryKey: readonly unknown[],
  studyId: string,
  trialIds: ReadonlySet<string>,
): boolean {
  return (
    queryKey[0] === CURVE_QUERY &&
    queryKey[1] === studyId &&
    typeof queryKey[4] === "string" &&
    trialIds.has(queryKey[4])
  );
}

function finishedCount(snapshot: LiveSnapshot): number {
  return FINISHED_TRIAL_STATES.reduce(
    (sum, state) => sum + (snapshot.trialsByState[state] ?? 0),
    0,
  );
}

/**
 * Whether a snapshot says what the page already shows: the same status, best trial and number of
 * trials in each state. The first snapshot usually does, since the page has just read the study.
 */
export function snapshotMatches(
  snapshot: LiveSnapshot,
  shown: { status: string; bestTrialId: string | null; trials: readonly { state: string }[] },
): boolean {
  if (snapshot.status !== shown.status || snapshot.bestTrialId !== shown.bestTrialId) return false;
  const counts = new Map<string, number>();
  for (const trial of shown.trials) counts.set(trial.state, (counts.get(trial.state) ?? 0) + 1);
  const states = new Set([...counts.keys(), ...Object.keys(snapshot.trialsByState)]);
  return [...states].every(
    (state) => (counts.get(state) ?? 0) === (snapshot.trialsByState[state] ?? 0),
  );
}

/** Whether trials finished or the best changed: what importance, the front and exports read. */
export function resultsChanged(previous: LiveSnapshot | undefined, next: LiveSnapshot): boolean {
  if (!previous) return false;
  return (
    finishedCount(previous) !== finishedCount(next) ||
    previous.bestTrialId !== next.bestTrialId ||
    previous.status !== next.status
  );
}

export interface BudgetSpec {
  trials: number;
  stepsPerTrial?: number;
  tokensPerTrial?: number;
  wallTimeMinutes?: number;
}

export interface BudgetSummary {
  trials: { finished: number; total: number };
  /** Steps trained of all trials' steps, when the budget counts steps. */
  steps?: { done: number; total: number };
  /** Time since the study started of its wall-time limit, when it has one. */
  time?: { elapsedMs: number; totalMs: number };
}

export function budgetSummary(
  budget: BudgetSpec,
  trials: readonly TableTrial[],
  study: { startedAt: Date | string | null; finishedAt: Date | string | null },
  now: number,
): BudgetSummary {
  const finished = trials.filter((trial) =>
    (FINISHED_TRIAL_STATES as readonly string[]).includes(trial.state),
  ).length;
  const summary: BudgetSummary = { trials: { finished, total: budget.trials } };
  if (budget.stepsPerTrial !== undefined) {
    const perTrial = budget.stepsPerTrial;
    summary.steps = {
      done: trials.reduce((sum, trial) => sum + Math.min(trial.lastStep, perTrial), 0),
      total: budget.trials * perTrial,
    };
  }
  if (budget.wallTimeMinutes !== undefined) {
    const started = study.startedAt ? new Date(study.startedAt).getTime() : null;
    const ended = study.finishedAt ? new Date(study.finishedAt).getTime() : now;
    summary.time = {
      elapsedMs: started === null ? 0 : Math.max(0, ended - started),
      totalMs: budget.wallTimeMinutes * 60_000,
    };
  }
  return summary;
}

/** 0 to 100, for a progress bar. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (100 * done) / total));
}
