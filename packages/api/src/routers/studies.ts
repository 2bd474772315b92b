import { createHash, randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { configuredStudyLimits, specOf } from "@attune/control";
import {
  checkObjectives,
  describeLimit,
  importWandbSweep,
  limitErrors,
  parseStudySpec,
  type SpecError,
  type SpecResult,
  type StudySpec,
  seedSchema,
  settingErrors,
} from "@attune/core/spec";
import { TrialConfigError } from "@attune/core/trial";
import {
  appendStudyTrials,
  createStudy,
  type Executor,
  FINISHED_STUDY_STATUSES,
  getStudy,
  getTrial,
  getTrialByNumber,
  listDatasets,
  listStudySummaries,
  readStudyProgress,
  resolveAccess,
  type StudyStatus,
  transitionStudyStatus,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord, tracked } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { displayName, projectId, studyId } from "../inputs.ts";
import { modelProblem } from "../models/start-model.ts";
import { authedProcedure, notFound, teamProcedure } from "../trpc.ts";

const MAX_SPEC_CHARACTERS = 1024 * 1024;

/** How often a live view reads its study again. */
const LIVE_POLL_MS = 1000;

/** A study spec or W&B sweep config as written: YAML or JSON text. */
const specText = z.string().min(1).max(MAX_SPEC_CHARACTERS);

/** Seeds fit the spec's range, 0 to 2^32 - 1. */
function drawSeed(): number {
  return randomInt(0, 2 ** 32);
}

/**
 * Parses and validates the spec, and checks what it refers to: its dataset and model must be the
 * project's (the model ready), and a study it warm-starts from one of the team's (its trials would otherwise leak
 * another team's results into this one).
 */
async function checkSpec(
  ctx: { db: Executor; team: { id: string }; identity: { userId: string } },
  projectId: string,
  text: string,
): Promise<SpecResult> {
  const result = parseStudySpec(text);
  if (!result.ok) return result;
  const errors: SpecError[] = [];
  const { dataset: datasetReference, warmStart } = result.spec;
  errors.push(...trainingSpecErrors(result.spec));
  const datasets = await listDatasets(ctx.db, projectId);
  if (!datasets.some((dataset) => [dataset.id, dataset.name].includes(datasetReference))) {
    errors.push({ path: "dataset", message: `the project has no dataset "${datasetReference}"` });
  }
  if (result.spec.model !== undefined) {
    const problem = await modelProblem(ctx.db, projectId, result.spec.model);
    if (problem) errors.push({ path: "model", message: problem });
  }
  if (warmStart) {
    const source = await resolveAccess(ctx.db, "study", warmStart.studyId, ctx.identity.userId);
    if (source?.teamId !== ctx.team.id) {
      errors.push({
        path: "warmStart.studyId",
        message: `the team has no study ${warmStart.studyId}`,
      });
    }
  }
  return errors.length === 0 ? result : { ok: false, errors };
}

/**
 * What the runners would refuse: objectives trials do not report, settings the trainer does not
 * take, a budget, grid or model beyond the deployment's limits.
 */
function trainingSpecErrors(spec: StudySpec): SpecError[] {
  const errors: SpecError[] = [];
  try {
    checkObjectives(spec.objectives, spec.task);
  } catch (error) {
    const problems =
      error instanceof TrialConfigError ? error.problems : [(error as Error).message];
    for (const message of problems) errors.push({ path: "objectives", message });
  }
  errors.push(...settingErrors(spec));
  errors.push(...limitErrors(spec, configuredStudyLimits()));
  return errors;
}

function describeSpecErrors(errors: SpecError[]): string {
  const lines = errors.map(
    (error) =>
      `${error.path || "(spec)"}: ${error.message}${error.line === undefined ? "" : ` (line ${error.line})`}`,
  );
  return `the study spec is invalid:\n${lines.join("\n")}`;
}

/** A stored study with its spec read as the typed StudySpec it was validated as. */
function withTypedSpec<T extends { id: string; spec: Record<string, unknown> }>(
  study: T,
): Omit<T, "spec"> & { spec: StudySpec } {
  return { ...study, spec: specOf(study) };
}

/** The study, whose budget just grew by `added` trials, unless that took it beyond the limit. */
function withinTrialLimit<T extends { id: string; spec: StudySpec }>(study: T, added: number): T {
  const limits = configuredStudyLimits();
  if (study.spec.budget.trials <= limits.trials) return study;
  throw new TRPCError({
    code: "BAD_REQUEST",
    message: `cannot append ${added} trials to study ${study.id}: its budget would be ${study.spec.budget.trials} trials, above ${describeLimit(limits, "trials")}`,
  });
}

/**
 * What each status request does. Only the status flips here: the runners' controller watches the
 * status and starts, pauses or stops trials to match.
 */
const STATUS_REQUESTS = {
  start: { from: ["draft"], to: "running" },
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused", "failed"], to: "running" },
  cancel: { from: ["draft", "running", "paused"], to: "cancelled" },
} as const satisfies Record<string, { from: readonly StudyStatus[]; to: StudyStatus }>;

function statusRequest(request: keyof typeof STATUS_REQUESTS) {
  const { from, to } = STATUS_REQUESTS[request];
  return teamProcedure("member", z.strictObject({ studyId })).mutation(({ ctx, input }) =>
    audited(
      ctx,
      async (tx) => {
        const study = await transitionStudyStatus(tx, input.studyId, from, to);
        if (study) return withTypedSpec(study);
        const current = await getStudy(tx, input.studyId);
        if (!current) throw notFound("study", input.studyId);
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `cannot ${request} study ${input.studyId}: it is ${current.status}, and only a ${from.join(" or ")} study can be`,
        });
      },
      (study) => ({
        teamId: ctx.team.id,
        action: `study.${request}`,
        targetType: "study",
        targetId: study.id,
        details: { status: study.status },
      }),
    ),
  );
}

export const studiesRouter = {
  /** Checks a spec without creating anything: every problem, each with its field and line. */
  validate: teamProcedure("viewer", z.strictObject({ projectId, spec: specText })).query(
    ({ ctx, input }) => checkSpec(ctx, input.projectId, input.spec),
  ),

  /** A draft study from a spec; its seed is the spec's, or drawn now and stored with it. */
  create: teamProcedure("member", z.strictObject({ projectId, spec: specText })).mutation(
    async ({ ctx, input }) => {
      const result = await checkSpec(ctx, input.projectId, input.spec);
      if (!result.ok) {
        throw new TRPCError({ code: "BAD_REQUEST", message: describeSpecErrors(result.errors) });
      }
      const seed = result.spec.seed ?? drawSeed();
      return audited(
        ctx,
        (tx) =>
          createStudy(tx, {
            projectId: input.projectId,
            name: result.spec.name,
            spec: { ...result.spec, seed },
            seed,
            warmStartStudyId: result.spec.warmStart?.studyId ?? null,
            createdBy: ctx.identity.userId,
          }).then(withTypedSpec),
        (study) => ({
          teamId: ctx.team.id,
          action: "study.create",
          targetType: "study",
          targetId: study.id,
          details: { name: study.name, seed },
        }),
      );
    },
  ),

  /** The project's studies, newest first, each with its typed spec, trial counts and best values. */
  list: teamProcedure("viewer", z.strictObject({ projectId })).query(async ({ ctx, input }) =>
    (await listStudySummaries(ctx.db, input.projectId)).map(withTypedSpec),
  ),

  get: teamProcedure("viewer", z.strictObject({ studyId })).query(async ({ ctx, input }) => {
    const study = await getStudy(ctx.db, input.studyId);
    if (!study) throw notFound("study", input.studyId);
    return withTypedSpec(study);
  }),

  /** A draft copy of the study's spec under a new name, with a fresh seed unless one is given. */
  clone: teamProcedure(
    "member",
    z.strictObject({
      studyId,
      name: displayName,
      seed: seedSchema.optional(),
    }),
  ).mutation(async ({ ctx, input }) => {
    const original = await getStudy(ctx.db, input.studyId);
    if (!original) throw notFound("study", input.studyId);
    const seed = input.seed ?? drawSeed();
    return audited(
      ctx,
      (tx) =>
        createStudy(tx, {
          projectId: original.projectId,
          name: input.name,
          spec: { ...original.spec, name: input.name, seed },
          seed,
          createdBy: ctx.identity.userId,
        }).then(withTypedSpec),
      (study) => ({
        teamId: ctx.team.id,
        action: "study.clone",
        targetType: "study",
        targetId: study.id,
        details: { from: original.id, name: study.name, seed },
      }),
    );
  }),

  /**
   * The parts of a study spec a W&B sweep config determines, and a warning for everything that
   * was approximated or left out. Creates nothing.
   */
  importWandb: authedProcedure.input(z.strictObject({ config: specText })).query(({ input }) => {
    try {
      return importWandbSweep(input.config);
    } catch (error) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `config: ${(error as Error).message}`,
        cause: error,
      });
    }
  }),

  /** The best trial's whole training configuration: the spec's fixed settings and its parameters. */
  /**
   * A finished trial's whole configuration: the study's best, or the completed trial of the number
   * given (one of a multi-objective study's Pareto front, say).
   */
  exportBest: teamProcedure(
    "viewer",
    z.strictObject({ studyId, trialNumber: z.number().int().min(0).optional() }),
  ).query(async ({ ctx, input }) => {
    const study = await getStudy(ctx.db, input.studyId);
    if (!study) throw notFound("study", input.studyId);
    const best =
      input.trialNumber !== undefined
        ? await getTrialByNumber(ctx.db, study.id, input.trialNumber)
        : study.bestTrialId
          ? await getTrial(ctx.db, study.bestTrialId)
          : undefined;
    if (!best && input.trialNumber !== undefined) {
      throw notFound("trial", `#${input.trialNumber} of study ${study.id}`);
    }
    if (!best) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `study ${study.id} has no best trial yet`,
      });
    }
    if (best.state !== "completed") {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `trial #${best.number} of study ${study.id} is ${best.state}: only a completed trial's configuration is exported`,
      });
    }
    const spec = specOf(study);
    return {
      studyId: study.id,
      trialId: best.id,
      trialNumber: best.number,
      /** The study's best trial, rather than another one asked for by number. */
      isBest: best.id === study.bestTrialId,
      objectives: spec.objectives,
      values: best.values,
      config: { ...spec.fixed, ...best.params },
    };
  }),

  /**
   * The study's progress, read from the database every second (any instance can serve it) and sent
   * when it changed, until the study finishes. Each snapshot's id is a digest of it, so a client
   * that reconnects with the last id it saw hears nothing until something changes.
   */
  live: teamProcedure(
    "viewer",
    z.strictObject({ studyId, lastEventId: z.string().max(100).nullish() }),
  ).subscription(async function* ({ ctx, input }) {
    let lastId = input.lastEventId ?? null;
    while (true) {
      const progress = await readStudyProgress(ctx.db, input.studyId);
      if (!progress) throw notFound("study", input.studyId);
      const id = createHash("sha256").update(JSON.stringify(progress)).digest("base64url");
      if (id !== lastId) {
        yield tracked(id, progress);
        lastId = id;
      }
      if (FINISHED_STUDY_STATUSES.includes(progress.status)) return;
      try {
        await sleep(LIVE_POLL_MS, undefined, { signal: ctx.streamClosed });
      } catch {
        // Only an abort ends the wait early: the client went away, or lost access.
        return;
      }
    }
  }),

  /** More trials for a study; a completed one runs again to train them (warm from its history). */
  appendTrials: teamProcedure(
    "member",
    z.strictObject({ studyId, count: z.number().int().min(1).max(10_000) }),
  ).mutation(({ ctx, input }) =>
    audited(
      ctx,
      async (tx) => {
        const before = await getStudy(tx, input.studyId);
        if (before && specOf(before).sampler.kind === "pbt") {
          throw new TRPCError({
            code: "PRECONDITION_FAILED",
            message: `cannot append trials to study ${input.studyId}: a PBT study's trials are its population, which is fixed once it trains; clone it with a larger population instead`,
          });
        }
        const study = await appendStudyTrials(tx, input.studyId, input.count);
        if (study) return withinTrialLimit(withTypedSpec(study), input.count);
        const current = await getStudy(tx, input.studyId);
        if (!current) throw notFound("study", input.studyId);
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `cannot append trials to study ${input.studyId}: it is ${current.status}; start it first, or clone it`,
        });
      },
      (study) => ({
        teamId: ctx.team.id,
        action: "study.appendTrials",
        targetType: "study",
        targetId: study.id,
        details: { count: input.count },
      }),
    ),
  ),
  start: statusRequest("start"),
  pause: statusRequest("pause"),
  resume: statusRequest("resume"),
  cancel: statusRequest("cancel"),
} satisfies TRPCRouterRecord;
