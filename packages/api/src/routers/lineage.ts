// The lineage of a population-based study (sampler pbt or pbt-replay): each member's parameters
// at each round and whose checkpoint it copied there, the best member's schedule, and a spec that
// replays that schedule in one trial.
import { roundPlan, specOf } from "@attune/control";
import type { StudySpec } from "@attune/core/spec";
import { memberSchedule } from "@attune/core/tuning";
import { getStudy, listStudyLineage, listTrials, type StudyLineageRow } from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { studyId } from "../inputs.ts";
import { notFound, teamProcedure } from "../trpc.ts";

/** A member's rounds as the lineage stores them, less the ids the numbers stand for. */
function roundOf(row: StudyLineageRow) {
  const { trialId: _trialId, trialNumber: _trialNumber, ...round } = row;
  return round;
}

/** The settings a round may change: PBT's mutations, or those a replayed schedule changes. */
function changingSettings(spec: StudySpec): string[] {
  const { sampler } = spec;
  if (sampler.kind === "pbt") return sampler.mutations;
  if (sampler.kind !== "pbt-replay") return [];
  const [first, ...later] = sampler.schedule;
  return Object.keys(spec.searchSpace).filter((name) =>
    later.some((entry) => name in entry.params && entry.params[name] !== first?.params[name]),
  );
}

export const lineageRouter = {
  /**
   * Every member of the study with its rounds (step 0: its first parameters), the best member's
   * schedule (its ancestors' parameters up to each copy, then its own), and a spec replaying it.
   */
  get: teamProcedure("viewer", z.strictObject({ studyId })).query(async ({ ctx, input }) => {
    const study = await getStudy(ctx.db, input.studyId);
    if (!study) throw notFound("study", input.studyId);
    const spec = specOf(study);
    const plan = roundPlan(spec);
    if (plan === undefined) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `study ${input.studyId} is not population-based (its sampler is ${spec.sampler.kind}, not pbt or pbt-replay): it has no lineage`,
      });
    }
    const [trials, rows] = await Promise.all([
      listTrials(ctx.db, study.id),
      listStudyLineage(ctx.db, study.id),
    ]);
    const best = trials.find((trial) => trial.id === study.bestTrialId);
    const schedule =
      best &&
      memberSchedule(
        rows.map((row) => ({
          member: row.trialNumber,
          ...roundOf(row),
          copiedFrom: row.copiedFromTrialNumber,
        })),
        best.number,
      );
    return {
      kind: plan.kind,
      stepsPerTrial: spec.budget.stepsPerTrial ?? null,
      changing: changingSettings(spec),
      bestTrialNumber: best?.number ?? null,
      members: trials.map((trial) => ({
        trialId: trial.id,
        number: trial.number,
        state: trial.state,
        lastStep: trial.lastStep,
        value: trial.values?.[0] ?? null,
        rounds: rows.filter((row) => row.trialId === trial.id).map(roundOf),
      })),
      bestSchedule: schedule ?? null,
      replaySpec: schedule
        ? {
            ...study.spec,
            name: `${spec.name} replay`.slice(0, 100),
            sampler: { kind: "pbt-replay", schedule },
            budget: { ...spec.budget, trials: 1, parallelTrials: 1 },
          }
        : null,
    };
  }),
} satisfies TRPCRouterRecord;
