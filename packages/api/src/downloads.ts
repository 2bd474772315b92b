// Files served over plain HTTP rather than tRPC (a browser downloads them from a link), authorized
// by the same context and team middleware as every procedure: the same callers, roles, API-key
// rules and NOT_FOUND for another team's resources.
import { selectBackend } from "@attune/core/train";
import {
  adapterExportRefusal,
  exportTrialModel,
  type ModelExportFormat,
  modelExportFormats,
} from "@attune/core/trial";
import {
  checkpointKind,
  findModelByReference,
  getCheckpoint,
  getStudy,
  getTrial,
  metricsAsOf,
} from "@attune/db";
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

// Not strict: the model export's procedure adds its format to these fields.
const checkpointInput = z.object({ trialId, kind: z.enum(checkpointKind.enumValues) });
/** merged: the whole model, a LoRA trial's adapters merged; peft: a LoRA trial's adapters alone. */
const exportFormatInput = z.object({ format: z.enum(modelExportFormats).default("merged") });

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

  /**
   * The checkpoint's model as a zipped Hugging Face folder (core's exportTrialModel): merged, or
   * a LoRA trial's adapters alone in PEFT's layout.
   */
  modelExport: trialCheckpoint.input(exportFormatInput).query(async ({ ctx, input }) => {
    const { trial, study, checkpoint } = ctx;
    const spec = await trialSpec(ctx.db, trial);
    // A plain copy: the driver's Buffer can be a view of a larger shared pool.
    const bytes = new Uint8Array(checkpoint.data);
    // The study's model by its name, though the spec may name it by id.
    const baseModel =
      spec.model === undefined
        ? undefined
        : ((await findModelByReference(ctx.db, study.projectId, spec.model))?.name ?? spec.model);
    const refusal = input.format === "peft" ? adapterExportRefusal(bytes, baseModel) : undefined;
    if (refusal !== undefined) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `trial ${trial.id}'s ${checkpoint.kind} checkpoint does not export as PEFT adapters: ${refusal} (leave out format=peft)`,
      });
    }
    const settings = trainingSettings(spec, trial);
    if (!settings.ok) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `trial ${trial.id}'s settings no longer parse, so its model card cannot list them: ${settings.error}`,
      });
    }
    const points = await metricsAsOf(ctx.db, trial.id, undefined, checkpoint.step);
    await selectBackend();
    const folder = await exportTrialModel(
      bytes,
      {
        study: { id: study.id, name: study.name },
        baseModel,
        trial: { id: trial.id, number: trial.number },
        checkpoint: { kind: checkpoint.kind, step: checkpoint.step },
        task: spec.task,
        settings: settings.values,
        metrics: Object.fromEntries(points.map(({ key, value }) => [key, value])),
      },
      studyModelFiles(ctx.db, spec, study.projectId),
      input.format,
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
      fileName: `${ctx.baseName}${input.format === "peft" ? "-peft" : ""}.zip`,
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

/**
 * GET /api/trials/{trialId}/checkpoints/{kind}/export: the checkpoint's model, a zipped folder;
 * `?format=peft` (from `search`, the URL's query) for a LoRA trial's adapters alone.
 */
export function modelExportDownload(
  context: ContextOptions,
  params: CheckpointParams,
  search = new URLSearchParams(),
) {
  // The procedure's input schema refuses an unknown format.
  const format = (search.get("format") ?? undefined) as ModelExportFormat | undefined;
  return download(context, (caller) => caller.modelExport({ ...asInput(params), format }));
}
