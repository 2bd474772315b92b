// Population-based studies (sampler pbt or pbt-replay) in storage: each trial waits at its next
// round (decideMember), and the study control runs the rounds (runRounds) under the study's lock.
// A PBT round waits for every member still training to reach it; then the bottom quantile copies
// the top's checkpoints (weights and optimizer state) and explores from their parameters. A replay
// switches each trial to the schedule's next parameters. Either way the trial goes back on the
// queue and resumes from its last checkpoint, as a trial paused at an ASHA rung does, so any
// runner takes it, and a runner lost mid-round costs only the steps since its last checkpoint.

import type { StudyHistory, StudySpec, TrialRecord } from "@attune/core/spec";
import {
  nextRoundStep,
  type PruneDecision,
  populationRound,
  type RoundPlan,
  randomForRound,
  roundDecision,
  scheduledParams,
  valueAtRound,
} from "@attune/core/tuning";
import {
  copyCheckpoints,
  type Executor,
  lastRoundSteps,
  type NewLineageRow,
  recordLineage,
  type Study,
  type Transaction,
  type Trial,
  updateTrial,
} from "@attune/db";
import { log } from "@attune/runtime/log";
import { wallTimeSpent } from "./history.ts";

/** What a population-based study's rounds follow; undefined for any other study. */
export function roundPlan(spec: StudySpec): RoundPlan | undefined {
  const { sampler } = spec;
  return sampler.kind === "pbt" || sampler.kind === "pbt-replay" ? sampler : undefined;
}

/** A trial's length in steps: population-based specs must give stepsPerTrial. */
function trialSteps(spec: StudySpec): number {
  const steps = spec.budget.stepsPerTrial;
  if (steps === undefined) throw new Error(`${spec.sampler.kind} needs budget.stepsPerTrial`);
  return steps;
}

/** Records a new trial's first parameters: its lineage starts at step 0. */
export async function recordFirstParams(db: Executor, trial: Trial): Promise<void> {
  await recordLineage(db, [{ trialId: trial.id, step: 0, params: trial.params }]);
}

/** Whether the trial goes on or waits for its next round, after its latest evaluation. */
export async function decideMember(
  db: Executor,
  spec: StudySpec,
  plan: RoundPlan,
  trial: Trial,
  record: TrialRecord,
): Promise<PruneDecision> {
  const lastRound = (await lastRoundSteps(db, trial.studyId)).get(trial.id) ?? 0;
  return roundDecision(record, nextRoundStep(plan, lastRound, trialSteps(spec)));
}

interface MemberState {
  trial: Trial;
  record: TrialRecord | undefined;
  /** The step of its next round; undefined when none is left. */
  next: number | undefined;
  /** Paused where a round holds it. */
  waiting: boolean;
  /** It has reported at or past its next round. */
  reached: boolean;
}

/**
 * Runs the rounds that are due and returns the numbers of the trials paused for a round that may
 * resume now: those whose round is done, this time or earlier (left paused for want of slots).
 */
export async function runRounds(
  tx: Transaction,
  study: Study,
  spec: StudySpec,
  plan: RoundPlan,
  trials: readonly Trial[],
  history: StudyHistory,
): Promise<number[]> {
  const steps = trialSteps(spec);
  const lastRounds = await lastRoundSteps(tx, study.id);
  const records = new Map(history.trials.map((record) => [record.number, record]));
  const live: MemberState[] = trials
    .filter((trial) => ["queued", "running", "paused"].includes(trial.state))
    .map((trial) => {
      const record = records.get(trial.number);
      const next = nextRoundStep(plan, lastRounds.get(trial.id) ?? 0, steps);
      const reported = record?.intermediate.at(-1)?.step ?? Number.NEGATIVE_INFINITY;
      return {
        trial,
        record,
        next,
        waiting: trial.state === "paused" && trial.pauseReason === "rung",
        reached: next !== undefined && reported >= next,
      };
    });
  const resumable = live.filter((member) => member.waiting && !member.reached);
  const due = live.filter((member) => member.waiting && member.reached);
  const done =
    plan.kind === "pbt"
      ? await populationRoundIfDue(tx, study, spec, plan, trials, live)
      : await replaySteps(tx, plan, due);
  return [...resumable, ...done].map((member) => member.trial.number);
}

/** Each trial at a step of the schedule switches to its parameters there. */
async function replaySteps(
  tx: Transaction,
  plan: Extract<RoundPlan, { kind: "pbt-replay" }>,
  due: readonly MemberState[],
): Promise<MemberState[]> {
  for (const { trial, record, next } of due) {
    const step = next as number;
    const params = scheduledParams(plan, step);
    await updateTrial(tx, trial.id, { params });
    await recordLineage(tx, [
      { trialId: trial.id, step, params, value: record ? valueAtRound(record, step) : null },
    ]);
  }
  return [...due];
}

/**
 * The PBT round at the earliest step any live member has still to pass, once every member due
 * there waits at it and the whole population has been created (or the study may start no more).
 */
async function populationRoundIfDue(
  tx: Transaction,
  study: Study,
  spec: StudySpec,
  plan: Extract<RoundPlan, { kind: "pbt" }>,
  trials: readonly Trial[],
  live: readonly MemberState[],
): Promise<MemberState[]> {
  const steps = live.flatMap((member) => (member.next === undefined ? [] : [member.next]));
  if (steps.length === 0) return [];
  const step = Math.min(...steps);
  const due = live.filter((member) => member.next === step);
  const populated = trials.length >= spec.budget.trials || wallTimeSpent(study, spec);
  if (!populated || !due.every((member) => member.waiting && member.reached)) return [];

  const members = due.map(({ trial, record }) => ({
    number: trial.number,
    params: trial.params,
    value: record ? valueAtRound(record, step) : Number.NaN,
  }));
  const direction = spec.objectives[0]?.direction ?? "minimize";
  const updates = populationRound(
    members,
    spec.searchSpace,
    plan,
    direction,
    randomForRound(study.seed, step),
  );
  const byNumber = new Map(due.map((member) => [member.trial.number, member.trial]));
  const rows: NewLineageRow[] = [];
  for (const [i, update] of updates.entries()) {
    const trial = byNumber.get(update.number) as Trial;
    const value = members[i]?.value ?? Number.NaN;
    const source = update.copiedFrom === undefined ? undefined : byNumber.get(update.copiedFrom);
    const copiedStep = source && (await copyCheckpoints(tx, source.id, trial.id));
    if (source === undefined || copiedStep === undefined) {
      // Not copied (or the source had no checkpoint, as Ray Tune skips such an exploit): as it was.
      rows.push({ trialId: trial.id, step, params: trial.params, value });
      continue;
    }
    await updateTrial(tx, trial.id, { params: update.params, lastStep: copiedStep });
    rows.push({
      trialId: trial.id,
      step,
      params: update.params,
      copiedFromTrialId: source.id,
      copiedStep,
      value,
    });
  }
  await recordLineage(tx, rows);
  log.info("study.pbt.round", {
    studyId: study.id,
    step,
    copied: updates.flatMap((u) => (u.copiedFrom === undefined ? [] : [[u.number, u.copiedFrom]])),
  });
  return [...due];
}
