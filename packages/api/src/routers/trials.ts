import { readConstraintValues, specOf } from "@attune/control";
import {
  type MetricKey,
  stepsInBudget,
  studyConstraints,
  tokensPerOptimizerStep,
  violations,
} from "@attune/core/spec";
import { trialBudget } from "@attune/core/trial";
import {
  CANCELLABLE_TRIAL_STATES,
  cancelTrial,
  type Executor,
  getRunner,
  getStudy,
  getTrial,
  listCheckpoints,
  listTrialAudit,
  metricsAsOf,
  pageTrials,
  readGenerationSamples,
  readTrialCurves,
  sampleSteps,
  type Trial,
  trialState,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { generateText, generationCheckpoint } from "../generation.ts";
import { studyId, trialId } from "../inputs.ts";
import { trainingSettings, trialSpec } from "../trial-settings.ts";
import { notFound, teamProcedure } from "../trpc.ts";

/** A metric's key as trainers report it, for example "val_loss" or "lr". */
const metricKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_./-]+$/, "must be a metric key: letters, digits, _ . / and -");

/** What says how trained a checkpoint is: its validation values and the baseline they must beat. */
const TRAINEDNESS_METRICS = [
  "val_loss",
  "val_accuracy",
  "baseline_val_loss",
  "baseline_val_accuracy",
] as const satisfies readonly MetricKey[];

type TrainednessMetric = (typeof TRAINEDNESS_METRICS)[number];

/**
 * Whether each trial met the study's measured constraints, with each one it broke and by how much
 * (Optuna's constraint value); null where that is not known: the study has none, or the trial has
 * not finished or lacks a value.
 */
async function feasibilities(db: Executor, studyId: string, trials: readonly Trial[]) {
  const study = await getStudy(db, studyId);
  if (!study) throw notFound("study", studyId);
  const spec = specOf(study);
  const constraints = studyConstraints(spec);
  const values = await readConstraintValues(db, spec, studyId, trials);
  return trials.map((trial) => {
    const found = values.get(trial.id);
    if (found === undefined) return null;
    const broken = violations(constraints, found);
    return { feasible: broken.length === 0, violations: broken };
  });
}

export const trialsRouter = {
  /**
   * A page of the study's trials, optionally only some states, with how many match in all, and
   * whether each met the study's measured constraints.
   */
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
    const feasibility = await feasibilities(ctx.db, studyId, trials);
    const nextOffset = page.offset + trials.length;
    return {
      trials: trials.map((trial, i) => ({ ...trial, feasibility: feasibility[i] ?? null })),
      total,
      nextOffset: nextOffset < total ? nextOffset : null,
    };
  }),

  /**
   * The trial with the settings it trains with, the runner that has it (or had it last), and what
   * people did to its state (cancelling it, pausing or resuming its study) from the audit log.
   */
  get: teamProcedure("viewer", z.strictObject({ trialId })).query(async ({ ctx, input }) => {
    const trial = await getTrial(ctx.db, input.trialId);
    if (!trial) throw notFound("trial", input.trialId);
    const [settings, runner, audit] = await Promise.all([
      trialSpec(ctx.db, trial).then((spec) => trainingSettings(spec, trial)),
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
   * How far the trial had trained at the checkpoint that trials.generate samples from: its step of
   * the trial's steps, the tokens seen by then, and the validation values as they stood then (each
   * with the step it was measured at) beside the baseline of a model that knows only how often each
   * token or label occurs. Null before the trial has a checkpoint.
   */
  generationSource: teamProcedure("viewer", z.strictObject({ trialId })).query(
    async ({ ctx, input }) => {
      const trial = await getTrial(ctx.db, input.trialId);
      if (!trial) throw notFound("trial", input.trialId);
      const checkpoint = generationCheckpoint(await listCheckpoints(ctx.db, trial.id));
      if (!checkpoint) return null;
      const spec = await trialSpec(ctx.db, trial);
      const settings = trainingSettings(spec, trial);
      if (!settings.ok) {
        throw new Error(
          `trial ${trial.id} has a checkpoint, yet its settings fail: ${settings.error}`,
        );
      }
      const tokensPerStep = tokensPerOptimizerStep(settings.values);
      const steps = stepsInBudget(trialBudget(spec.budget), tokensPerStep);
      const points = await metricsAsOf(ctx.db, trial.id, TRAINEDNESS_METRICS, checkpoint.step);
      const metrics: Partial<Record<TrainednessMetric, { step: number; value: number }>> =
        Object.fromEntries(points.map(({ key, step, value }) => [key, { step, value }]));
      return {
        kind: checkpoint.kind,
        step: checkpoint.step,
        steps,
        tokensSeen: checkpoint.step * tokensPerStep,
        task: spec.task,
        tokenizer: settings.values.tokenizer,
        metrics,
      };
    },
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

  /**
   * The completions an instruction or dialogue trial generated at one evaluation (the latest unless
   * `step` names another), beside their references and prompts, with the steps that have samples.
   */
  samples: teamProcedure(
    "viewer",
    z.strictObject({ trialId, step: z.number().int().min(0).optional() }),
  ).query(async ({ ctx, input }) => {
    const steps = await sampleSteps(ctx.db, input.trialId);
    const step = input.step ?? steps[0];
    if (step === undefined) return { steps, step: null, samples: [] };
    const rows = await readGenerationSamples(ctx.db, input.trialId, step);
    return {
      steps,
      step,
      samples: rows.map(({ position, prompt, reference, generated }) => ({
        position,
        prompt,
        reference,
        generated,
      })),
    };
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
