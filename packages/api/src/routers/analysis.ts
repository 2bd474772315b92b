import { objectiveKeys, readConstraintValues, specOf, toHistory } from "@attune/control";
import { parameterImportance, paretoFront } from "@attune/core/tuning";
import { getStudy, listTrials } from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { studyId } from "../inputs.ts";
import { type Context, notFound, teamProcedure } from "../trpc.ts";

/** The study's spec and its completed trials, as packages/core's analyses read them. */
async function completedHistory(db: Context["db"], id: string) {
  const study = await getStudy(db, id);
  if (!study) throw notFound("study", id);
  const spec = specOf(study);
  const trials = await listTrials(db, id, ["completed"]);
  // Both analyses read final values only, so the series are left unread; the front considers
  // only the trials that met the measured constraints, where any did.
  const constraints = await readConstraintValues(db, spec, id, trials);
  return { spec, trials, history: toHistory(spec, trials, [], constraints) };
}

export const analysisRouter = {
  /** How much each parameter mattered to one objective (PED-ANOVA), summing to 1. */
  importance: teamProcedure(
    "viewer",
    z.strictObject({
      studyId,
      objective: z.number().int().min(0).max(15).default(0),
      topFraction: z.number().gt(0).max(1).default(0.1),
    }),
  ).query(async ({ ctx, input }) => {
    const { spec, history } = await completedHistory(ctx.db, input.studyId);
    if (input.objective >= spec.objectives.length) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `objective ${input.objective} is not one of the study's ${spec.objectives.length}`,
      });
    }
    if (history.trials.length < 2) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `importance needs at least 2 completed trials; study ${input.studyId} has ${history.trials.length}`,
      });
    }
    return parameterImportance(spec.searchSpace, history, {
      objective: input.objective,
      topFraction: input.topFraction,
    });
  }),

  /**
   * The completed trials no other completed trial beats on every objective, among those that met
   * the study's measured constraints where any did.
   */
  paretoFront: teamProcedure("viewer", z.strictObject({ studyId })).query(
    async ({ ctx, input }) => {
      const { spec, trials, history } = await completedHistory(ctx.db, input.studyId);
      if (spec.objectives.length < 2) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `study ${input.studyId} has one objective; a Pareto front needs two or more`,
        });
      }
      const idByNumber = new Map(trials.map((trial) => [trial.number, trial.id]));
      return {
        objectives: objectiveKeys(spec),
        directions: history.directions,
        trials: paretoFront(history.trials, history.directions).map((trial) => ({
          trialId: idByNumber.get(trial.number) as string,
          number: trial.number,
          params: trial.params,
          values: trial.values as number[],
        })),
      };
    },
  ),
} satisfies TRPCRouterRecord;
