// One study's fair share of the runner slots, from the stored running studies and live runners:
// storage in, packages/control's fairShares out.
import type { StudySpec } from "@attune/core/spec";
import {
  type Executor,
  listScheduledStudies,
  liveRunnerSlots,
  type ScheduledStudy,
} from "@attune/db";
import { fairShares, type StudyDemand } from "./fair-share.ts";
import { specOf, wallTimeSpent } from "./history.ts";

/** Trials the study may have queued or training at once now: its share of the runner slots. */
export async function studySlotShare(db: Executor, studyId: string): Promise<number> {
  const scheduled = await listScheduledStudies(db);
  const teamQuotas = new Map<string, number>();
  for (const { teamId, teamMaxConcurrentTrials } of scheduled) {
    if (teamMaxConcurrentTrials !== null) teamQuotas.set(teamId, teamMaxConcurrentTrials);
  }
  const shares = fairShares({
    slots: await liveRunnerSlots(db),
    studies: scheduled.map(demandOf),
    teamQuotas,
  });
  return shares.get(studyId) ?? 0;
}

function demandOf({ study, teamId, trials }: ScheduledStudy): StudyDemand {
  return {
    studyId: study.id,
    teamId,
    priority: study.priority,
    active: trials.active,
    wanted: wantedTrials(study, trials),
  };
}

/** Trials the study could have queued or training now: paused ones count (it may resume them). */
function wantedTrials(study: ScheduledStudy["study"], trials: ScheduledStudy["trials"]): number {
  let spec: StudySpec;
  try {
    spec = specOf(study);
  } catch {
    // Its own control round reports the bad spec; here it keeps what it runs and asks no more.
    return trials.active;
  }
  const unstarted = wallTimeSpent(study, spec) ? 0 : Math.max(0, spec.budget.trials - trials.total);
  return Math.min(spec.budget.parallelTrials, trials.active + trials.paused + unstarted);
}
