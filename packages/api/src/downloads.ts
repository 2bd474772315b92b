// Files served over plain HTTP rather than tRPC (a browser downloads them from a link), authorized
// by the same context and team middleware as every procedure: the same callers, roles, API-key
// rules and NOT_FOUND for another team's resources.
import { selectBackend } from "@attune/core/train";
import { exportTrialModel } from "@attune/core/trial";
import { checkpointKind, getCheckpoint, getStudy, getTrial, metricsAsOf } from "@attune/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type Zippable, zipSync } from "fflate";
import { z } from "zod";
import { checkpointWithBytes } from "./checkpoints.ts";
import { trialId } from "./inputs.ts";
import { studyModelFiles, trainingSettings, trialSpec } from "./trial-settings.ts";
import {
  type ContextOptions,
  createCallerFactory,
  createTRPCContext,
  createTRPCRouter,
  notFound,
  teamProcedure,
} from "./trpc.ts";

/** Study names become file names: anything but letters, digits, dot, dash and underscore goes. */
function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "study";
}

const checkpointInput = z.strictObject({ trialId, kind: z.enum(checkpointKind.enumValues) });

/** The trial, its study and its checkpoint of `kind` with the bytes, or NOT_FOUND naming which. */
const trialCheckpoint = teamProcedure("viewer", checkpointInput).use(
  async ({ ctx, input, next }) => {
    const trial = await getTrial(ctx.db, input.trialId);
    if (!trial) throw notFound("trial", input.trialId);
    const [checkpoint, study] = await Promise.all([
      getCheckpoint(ctx.db, trial.id, input.kind),
      getStudy(ctx.db, trial.studyId),
    ]);
    if (!checkpoint || !study) {
      throw new TRPCError({
        code: "NOT_FOUND",
        message: `trial ${trial.id} has no ${input.kind} checkpoint`,
      });
    }
    const baseName = `${fileNamePart(study.name)}-trial-${trial.number}-${checkpoint.kind}-step-${checkpoint.step}`;
    return next({
      ctx: { trial, study, checkpoint: checkpointWithBytes(checkpoint, trial.id), baseName },
    });
  },
);

/** Server-side only: its answers hold raw bytes, which no tRPC client receives. */
const downloadsRouter = createTRPCRouter({
  checkpoint: trialCheckpoint.query(({ ctx }) => ({
    data: ctx.checkpoint.data,
    fileName: `${ctx.baseName}.ckpt`,
    contentType: "application/octet-stream",
  })),

  /** The checkpoint's model as a zipped Hugging Face folder (core's exportTrialModel). */
  modelExport: trialCheckpoint.query(async ({ ctx }) => {
    const { trial, study, checkpoint } = ctx;
    const spec = await trialSpec(ctx.db, trial);
    const settings = trainingSettings(spec, trial);
    if (!settings.ok) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `trial ${trial.id}'s settings no longer parse, so its model card cannot list them: ${settings.error}`,
      });
    }
    const points = await metricsAsOf(ctx.db, trial.id, undefined, checkpoint.step);
    await selectBackend();
    // A plain copy: the driver's Buffer can be a view of a larger shared pool.
    const folder = await exportTrialModel(
      new Uint8Array(checkpoint.data),
      {
        study: { id: study.id, name: study.name },
        trial: { id: trial.id, number: trial.number },
        checkpoint: { kind: checkpoint.kind, step: checkpoint.step },
        task: spec.task,
        settings: settings.values,
        metrics: Object.fromEntries(points.map(({ key, value }) => [key, value])),
      },
      studyModelFiles(ctx.db, spec, study.projectId),
    );
    // Weights barely compress: stored as they are; the JSON and text files deflated.
    const entries: Zippable = Object.fromEntries(
      [...folder].map(([name, bytes]) => [
        name,
        [bytes, { level: name.endsWith(".safetensors") ? 0 : 6 }],
      ]),
    );
    return {
      data: zipSync(entries),
      fileName: `${ctx.baseName}.zip`,
      contentType: "application/zip",
    };
  }),
});

const createDownloadsCaller = createCallerFactory(downloadsRouter);
type DownloadsCaller = ReturnType<typeof createDownloadsCaller>;

/**
 * Answers a download: the file the procedure gives, or the refusal as JSON with the status the API
 * would answer (401, 404, 400, ...). The URL's values go through the procedure's input schema like
 * any caller's input.
 */
async function download(
  context: ContextOptions,
  file: (
    caller: DownloadsCaller,
  ) => Promise<{ data: Uint8Array; fileName: string; contentType: string }>,
): Promise<Response> {
  try {
    const { data, fileName, contentType } = await file(
      createDownloadsCaller(() => createTRPCContext(context)),
    );
    // A copy that owns its memory: the driver's Buffer can be a view of a larger shared pool.
    const body = new Uint8Array(data);
    return new Response(body, {
      headers: {
        "content-type": contentType,
        "content-length": String(body.byteLength),
        "content-disposition": `attachment; filename="${fileName}"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return Response.json(
      { error: { code: error.code, message: error.message } },
      { status: getHTTPStatusCodeFromError(error) },
    );
  }
}

type CheckpointParams = { trialId: string; kind: string };
const asInput = (params: CheckpointParams) => params as z.input<typeof checkpointInput>;

/** GET /api/trials/{trialId}/checkpoints/{kind}: the checkpoint's bytes as a file. */
export function checkpointDownload(context: ContextOptions, params: CheckpointParams) {
  return download(context, (caller) => caller.checkpoint(asInput(params)));
}

/** GET /api/trials/{trialId}/checkpoints/{kind}/export: the checkpoint's model, a zipped folder. */
export function modelExportDownload(context: ContextOptions, params: CheckpointParams) {
  return download(context, (caller) => caller.modelExport(asInput(params)));
}
