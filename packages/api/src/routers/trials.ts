import { specOf } from "@attune/control";
import type { TrialSettings } from "@attune/core/spec";
import { parseTrialSettings } from "@attune/core/trial";
import {
  CANCELLABLE_TRIAL_STATES,
  cancelTrial,
  type Executor,
  getRunner,
  getStudy,
  getTrial,
  listCheckpoints,
  listTrialAudit,
  pageTrials,
  readTrialCurves,
  type Trial,
  trialState,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { generateText } from "../generation.ts";
import { studyId, trialId } from "../inputs.ts";
import { notFound, teamProcedure } from "../trpc.ts";

/** A metric's key as trainers report it, for example "val_loss" or "lr". */
const metricKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_./-]+$/, "must be a metric key: letters, digits, _ . / and -");

/**
 * Every setting the trial trains with, defaults included: the study's fixed settings merged with
 * the trial's parameters, as the runner reads them; or why the runner cannot.
 */
async function trainingSettings(
  db: Executor,
  trial: Trial,
): Promise<{ ok: true; values: TrialSettings } | { ok: false; error: string }> {
  const study = await getStudy(db, trial.studyId);
  if (!study) throw new Error(`trial ${trial.id} has no study ${trial.studyId}`);
  const spec = specOf(study);
  try {
    return { ok: true, values: parseTrialSettings({ ...spec.fixed, ...trial.params }) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export const trialsRouter = {
  /** A page of the study's trials, optionally only some states, with how many match in all. */
  list: teamProcedure(
    "viewer",
    z.strictObject({
      studyId,
      states: z.array(z.enum(trialState.enumValues)).min(1).max(10).optional(),
      sortBy: z.enum(["number", "value", "createdAt"]).default("number"),
      order: z.enum(["asc", "desc"]).default("asc"),
      limit: z.number().int().min(1).max(500).default(50),
      offset: z.number().int().min(0).max(1_000_000).default(0),
    }),
  ).query(async ({ ctx, input: { studyId, ...page } }) => {
    const { trials, total } = await pageTrials(ctx.db, studyId, page);
    const nextOffset = page.offset + trials.length;
    return { trials, total, nextOffset: nextOffset < total ? nextOffset : null };
  }),

  /**
   * The trial with the settings it trains with, the runner that has it (or had it last), and what
   * people did to its state (cancelling it, pausing or resuming its study) from the audit log.
   */
  get: teamProcedure("viewer", z.strictObject({ trialId })).query(async ({ ctx, input }) => {
    const trial = await getTrial(ctx.db, input.trialId);
    if (!trial) throw notFound("trial", input.trialId);
    const [settings, runner, audit] = await Promise.all([
      trainingSettings(ctx.db, trial),
      trial.runnerId ? getRunner(ctx.db, trial.runnerId) : undefined,
      listTrialAudit(ctx.db, trial),
    ]);
    return { ...trial, settings, runner: runner ?? null, audit };
  }),

  /** The trial's saved checkpoints, best and last, without their bytes. */
  checkpoints: teamProcedure("viewer", z.strictObject({ trialId })).query(({ ctx, input }) =>
    listCheckpoints(ctx.db, input.trialId),
  ),

  /**
   * The series of `keys` for the chosen trials of the study (all of them when none are chosen),
   * each thinned to at most `maxPoints` points, keeping each stretch's lowest and highest point
   * (see readTrialCurves). Trials of other studies are left out.
   */
  curves: teamProcedure(
    "viewer",
    z.strictObject({
      studyId,
      keys: z.array(metricKey).min(1).max(10),
      trialIds: z.array(trialId).min(1).max(100).optional(),
      maxPoints: z.number().int().min(2).max(5000).default(500),
    }),
  ).query(async ({ ctx, input }) => {
    const rows = await readTrialCurves(
      ctx.db,
      input.studyId,
      input.trialIds,
      input.keys,
      input.maxPoints,
    );
    const series: { trialId: string; key: string; points: { step: number; value: number }[] }[] =
      [];
    for (const { trialId, key, step, value } of rows) {
      let last = series.at(-1);
      if (last?.trialId !== trialId || last.key !== key) {
        last = { trialId, key, points: [] };
        series.push(last);
      }
      last.points.push({ step, value });
    }
    return series;
  }),

  /** Text sampled from the trial's best (else last) checkpoint, streamed token by token. */
  generate: generateText,

  /** Cancels a queued or running trial; its runner sees the state and stops training it. */
  cancel: teamProcedure("member", z.strictObject({ trialId })).mutation(({ ctx, input }) =>
    audited(
      ctx,
      async (tx) => {
        const trial = await cancelTrial(tx, input.trialId);
        if (trial) return trial;
        const current = await getTrial(tx, input.trialId);
        if (!current) throw notFound("trial", input.trialId);
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `trial ${input.trialId} is ${current.state}; only a ${CANCELLABLE_TRIAL_STATES.join(" or ")} trial can be cancelled`,
        });
      },
      (trial) => ({
        teamId: ctx.team.id,
        action: "trial.cancel",
        targetType: "trial",
        targetId: trial.id,
        details: { studyId: trial.studyId, number: trial.number },
      }),
    ),
  ),
} satisfies TRPCRouterRecord;
