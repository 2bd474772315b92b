// A trial's checkpoint made a model: exported as a Hugging Face folder (weights and tokenizer files)
// and stored as blobs like any upload.

import { specOf } from "@attune/control";
import { selectBackend } from "@attune/core/train";
import { checkpointModelFolder } from "@attune/core/trial";
import {
  type CheckpointKind,
  createModel,
  getCheckpoint,
  getStudy,
  getTrial,
  listModelFiles,
  type Model,
  type ModelFileSpec,
  setModelStatus,
  storeBlob,
} from "@attune/db";
import { TRPCError } from "@trpc/server";
import { audited } from "../audit.ts";
import { checkpointWithBytes } from "../checkpoints.ts";
import { studyModelFiles } from "../trial-settings.ts";
import type { Context, Identity } from "../trpc.ts";
import { notFound } from "../trpc.ts";
import { checkStoredFolder, FolderRefusal } from "./checks.ts";

interface PromoteContext {
  db: Context["db"];
  identity: Identity;
  team: { id: string };
}

export async function promoteCheckpoint(
  ctx: PromoteContext,
  input: { trialId: string; kind: CheckpointKind; name?: string },
): Promise<Model> {
  const trial = await getTrial(ctx.db, input.trialId);
  if (!trial) throw notFound("trial", input.trialId);
  const [stored, study] = await Promise.all([
    getCheckpoint(ctx.db, trial.id, input.kind),
    getStudy(ctx.db, trial.studyId),
  ]);
  if (!stored || !study) {
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `trial ${trial.id} has no ${input.kind} checkpoint`,
    });
  }
  const baseFiles = studyModelFiles(ctx.db, specOf(study), study.projectId);
  const folder = await exportedFolder(
    checkpointWithBytes(stored, trial.id).data,
    trial.id,
    baseFiles,
  );
  const files: ModelFileSpec[] = [];
  for (const [name, bytes] of folder) {
    files.push({ name, sizeBytes: bytes.length, sha256: await storeBlob(ctx.db, bytes) });
  }
  const name = input.name ?? `${study.name}-trial-${trial.number}-${input.kind}`;
  const model = await audited(
    ctx,
    (tx) =>
      createModel(tx, {
        projectId: study.projectId,
        name,
        source: "trial",
        files,
        createdBy: ctx.identity.userId,
      }),
    (created) => ({
      teamId: ctx.team.id,
      action: "model.promote",
      targetType: "model",
      targetId: created.id,
      details: { name, trialId: trial.id, kind: input.kind, step: stored.step },
    }),
  );
  try {
    const checked = await checkStoredFolder(ctx.db, await listModelFiles(ctx.db, model.id));
    return await setModelStatus(ctx.db, model.id, {
      status: "ready",
      architecture: checked.architecture,
      config: checked.config,
      parameterCount: checked.parameterCount,
      tokenizer: checked.tokenizer,
    });
  } catch (error) {
    if (!(error instanceof FolderRefusal)) throw error;
    return setModelStatus(ctx.db, model.id, { status: "failed", error: error.message });
  }
}

/** The checkpoint's model as a Hugging Face folder; refused when neither GPT-2 nor Llama holds it. */
async function exportedFolder(
  data: Buffer,
  trialId: string,
  baseFiles: () => Promise<Map<string, Uint8Array> | undefined>,
): Promise<Map<string, Uint8Array>> {
  await selectBackend();
  try {
    // A copy: the driver's Buffer can be a view of a larger pool (see generation.ts).
    return await checkpointModelFolder(new Uint8Array(data), baseFiles);
  } catch (error) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `trial ${trialId}'s model cannot be written as a Hugging Face model: ${(error as Error).message}`,
      cause: error,
    });
  }
}
