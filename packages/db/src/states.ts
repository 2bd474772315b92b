// The states studies and trials pass through, free of database code, so that the web app's
// browser bundle can import them as they are.
import type { studyStatus, trialState } from "./schema/studies.ts";

export type StudyStatus = (typeof studyStatus.enumValues)[number];
export type TrialState = (typeof trialState.enumValues)[number];

/** Statuses a study does not leave by itself; entering one stamps finishedAt. */
export const FINISHED_STUDY_STATUSES: readonly StudyStatus[] = ["completed", "cancelled", "failed"];

/** States a trial does not leave by itself. */
export const FINISHED_TRIAL_STATES: readonly TrialState[] = [
  "completed",
  "pruned",
  "failed",
  "cancelled",
];

/** States in which a trial can still be cancelled. */
export const CANCELLABLE_TRIAL_STATES: readonly TrialState[] = ["queued", "running"];
