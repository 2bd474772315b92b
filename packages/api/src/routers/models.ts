// Models of a project: Hugging Face folders uploaded in parts, checked, and stored as blobs; and
// trials' checkpoints promoted to models.

import { modelContextLength } from "@attune/core/model-check";
import {
  checkpointKind,
  chunkSize,
  clearUploadParts,
  createModel,
  deleteModel,
  type Executor,
  findProjectModel,
  folderHash,
  getModel,
  listModelFiles,
  listModels,
  listStudies,
  MODEL_PART_BYTES,
  type Model,
  recordUploadPart,
  setModelStatus,
  writeBlobChunk,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { displayName, modelId, projectId, trialId } from "../inputs.ts";
import { checkStoredFolder, FolderRefusal } from "../models/checks.ts";
import { promoteCheckpoint } from "../models/promotion.ts";
import { missingParts, uploadState } from "../models/upload.ts";
import { notFound, teamProcedure } from "../trpc.ts";

/** A flat file name of a model folder: no paths. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a file name: letters, digits, ., _ and -");
const sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in lowercase hex (64 characters)");

/** Parts of a file at most: 4 TB at 4 MiB a part. */
const MAX_FILE_PARTS = 1_000_000;

/** One part, base64: tRPC's JSON carries it, and the API's body limit bounds it. */
const partBase64 = z
  .base64()
  .min(1)
  .max(Math.ceil(MODEL_PART_BYTES / 3) * 4);

const beginInput = z.strictObject({
  projectId,
  name: displayName,
  files: z
    .array(
      z.strictObject({
        name: fileName,
        sizeBytes: z
          .number()
          .int()
          .min(0)
          .max(MAX_FILE_PARTS * MODEL_PART_BYTES),
        sha256,
      }),
    )
    .min(1)
    .max(256)
    .refine((files) => new Set(files.map((file) => file.name)).size === files.length, {
      message: "names a file more than once",
    }),
});

async function modelOrThrow(db: Executor, id: string): Promise<Model> {
  const model = await getModel(db, id);
  if (!model) throw notFound("model", id);
  return model;
}

function uploading(model: Model): void {
  if (model.status !== "uploading") {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `model ${model.id} is ${model.status}, not uploading`,
    });
  }
}

export const modelsRouter = {
  /**
   * Starts an upload, or resumes the unfinished one of the same name and files: the answer lists
   * each file's parts and those already stored, so that a cut-off upload sends only the rest.
   */
  begin: teamProcedure("member", beginInput).mutation(async ({ ctx, input }) => {
    const existing = await findProjectModel(ctx.db, input.projectId, input.name);
    const resumed = existing && (await resumable(ctx.db, existing, input.files));
    const model =
      resumed ??
      (await audited(
        ctx,
        (tx) =>
          createModel(tx, {
            projectId: input.projectId,
            name: input.name,
            source: "upload",
            files: input.files,
            createdBy: ctx.identity.userId,
          }),
        (created) => ({
          teamId: ctx.team.id,
          action: "model.upload",
          targetType: "model",
          targetId: created.id,
          details: { name: created.name, sizeBytes: created.sizeBytes },
        }),
      ));
    return uploadState(ctx.db, model, ctx.team.id);
  }),

  /** Where an upload stands: its status and each file's stored parts. */
  progress: teamProcedure("viewer", z.strictObject({ modelId })).query(async ({ ctx, input }) =>
    uploadState(ctx.db, await modelOrThrow(ctx.db, input.modelId), ctx.team.id),
  ),

  /** Stores part `index` of a file: bytes [index × partBytes, ...), each part but the last whole. */
  part: teamProcedure(
    "member",
    z.strictObject({
      modelId,
      file: fileName,
      index: z
        .number()
        .int()
        .min(0)
        .max(MAX_FILE_PARTS - 1),
      bytes: partBase64,
    }),
  ).mutation(async ({ ctx, input }) => {
    const model = await modelOrThrow(ctx.db, input.modelId);
    uploading(model);
    const file = (await listModelFiles(ctx.db, model.id)).find((f) => f.name === input.file);
    if (!file) throw notFound(`file of model ${model.id}`, input.file);
    const bytes = Buffer.from(input.bytes, "base64");
    const expected = chunkSize(file.sizeBytes, input.index);
    if (expected <= 0 || bytes.length !== expected) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message:
          expected <= 0
            ? `${file.name} has ${Math.ceil(file.sizeBytes / MODEL_PART_BYTES)} parts; there is no part ${input.index}`
            : `part ${input.index} of ${file.name} must be ${expected} bytes, not ${bytes.length}`,
      });
    }
    const stored = await writeBlobChunk(ctx.db, file.sha256, input.index, bytes);
    if (stored === "different") {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `part ${input.index} of ${file.name} differs from the bytes stored under its SHA-256 ${file.sha256}: the hash given for the file is not its own`,
      });
    }
    await recordUploadPart(ctx.db, model.id, file.name, input.index);
    return { file: file.name, index: input.index };
  }),

  /**
   * Ends an upload whose parts are all sent: hashes each file, checks the folder, and makes the
   * model ready, or failed with the reason. Parts still missing are named, and nothing changes.
   */
  complete: teamProcedure("member", z.strictObject({ modelId })).mutation(
    async ({ ctx, input }) => {
      const model = await modelOrThrow(ctx.db, input.modelId);
      uploading(model);
      const missing = missingParts(await uploadState(ctx.db, model, ctx.team.id));
      if (missing.length > 0) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `the upload has parts still to send: ${missing.join("; ")}`,
        });
      }
      await setModelStatus(ctx.db, model.id, { status: "checking" });
      try {
        const checked = await checkStoredFolder(ctx.db, await listModelFiles(ctx.db, model.id));
        await clearUploadParts(ctx.db, model.id);
        return await setModelStatus(ctx.db, model.id, {
          status: "ready",
          error: null,
          architecture: checked.architecture,
          config: checked.config,
          parameterCount: checked.parameterCount,
          tokenizer: checked.tokenizer,
        });
      } catch (error) {
        if (!(error instanceof FolderRefusal)) {
          await setModelStatus(ctx.db, model.id, { status: "uploading" });
          throw error;
        }
        return setModelStatus(ctx.db, model.id, { status: "failed", error: error.message });
      }
    },
  ),

  /** The project's models, each with its context length once its config is checked. */
  list: teamProcedure("viewer", z.strictObject({ projectId })).query(async ({ ctx, input }) =>
    (await listModels(ctx.db, input.projectId)).map((model) => ({
      ...model,
      contextLength: model.status === "ready" ? modelContextLength(model.config) : undefined,
    })),
  ),

  /** The model with its files. */
  get: teamProcedure("viewer", z.strictObject({ modelId })).query(async ({ ctx, input }) => {
    const model = await modelOrThrow(ctx.db, input.modelId);
    return { ...model, files: await listModelFiles(ctx.db, model.id) };
  }),

  /** Refused while a study starts from it: its fine-tuned checkpoints are read with it. */
  delete: teamProcedure("member", z.strictObject({ modelId })).mutation(async ({ ctx, input }) => {
    const model = await modelOrThrow(ctx.db, input.modelId);
    const users = (await listStudies(ctx.db, model.projectId)).filter((study) =>
      [model.name, model.id].includes(String(study.spec.model)),
    );
    if (users.length > 0) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `model "${model.name}" is where ${users.map((study) => `study "${study.name}"`).join(", ")} start${users.length === 1 ? "s" : ""} from: delete ${users.length === 1 ? "that study" : "those studies"} first`,
      });
    }
    await audited(
      ctx,
      (tx) => deleteModel(tx, model.id),
      () => ({
        teamId: ctx.team.id,
        action: "model.delete",
        targetType: "model",
        targetId: model.id,
        details: { name: model.name },
      }),
    );
    return { deleted: model.id };
  }),

  /** Makes a trial's checkpoint a model of the trial's project, as a Hugging Face GPT-2 folder. */
  promote: teamProcedure(
    "member",
    z.strictObject({
      trialId,
      kind: z.enum(checkpointKind.enumValues).default("best"),
      /** Absent: "<study>-trial-<number>-<kind>". */
      name: displayName.optional(),
    }),
  ).mutation(({ ctx, input }) => promoteCheckpoint(ctx, input)),
} satisfies TRPCRouterRecord;

/**
 * The project's model of that name, when it is the same upload again (same files) and not ready:
 * a failed one starts over from the parts it kept. Any other model of the name is a conflict.
 */
async function resumable(
  db: Executor,
  model: Model,
  files: z.output<typeof beginInput>["files"],
): Promise<Model | undefined> {
  if (model.source !== "upload" || model.contentHash !== folderHash(files)) {
    throw new TRPCError({
      code: "CONFLICT",
      message: `a model named "${model.name}" with other files already exists in this project`,
    });
  }
  if (model.status === "failed") return setModelStatus(db, model.id, { status: "uploading" });
  return model;
}
