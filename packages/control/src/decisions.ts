// What a runner asks the study while a trial trains: should it go on, stop, or wait at a rung or
// for its population's round?
import { createPruner, type PruneDecision } from "@attune/core/tuning";
import { type Executor, getStudy, listTrials, readStudySeries } from "@attune/db";
import { objectiveKeys, specOf, toHistory } from "./history.ts";
import { decideMember, roundPlan } from "./population.ts";

/**
 * The study's pruner on the trial's evaluations so far (already written to metrics), judged against
 * the whole study, or, in a population-based study, whether it has reached its next round. Read
 * without locks: a decision a moment stale is as good as a fresh one.
 */
export async function decideTrial(
  db: Executor,
  studyId: string,
  trialNumber: number,
): Promise<PruneDecision> {
  const study = await getStudy(db, studyId);
  if (!study) return { action: "prune", reason: `study ${studyId} is gone` };
  const spec = specOf(study);
  const trials = await listTrials(db, studyId);
  const history = toHistory(spec, trials, await readStudySeries(db, studyId, objectiveKeys(spec)));
  const trial = history.trials.find((record) => record.number === trialNumber);
  const row = trials.find((candidate) => candidate.number === trialNumber);
  if (!trial || !row)
    return { action: "prune", reason: `trial ${trialNumber} of study ${studyId} is gone` };
  const plan = roundPlan(spec);
  if (plan !== undefined) return decideMember(db, spec, plan, row, trial);
  return createPruner(spec.pruner).decide(trial, history);
}
