// A trial's checkpoint made a model: the weights exported as a Hugging Face GPT-2 folder, stored
// as blobs like any upload, with the trial's tokenizer beside them.
import { tokenizerFromJSON } from "@attune/core/data";
import { disposeGPT, exportHuggingFaceGPT2 } from "@attune/core/model";
import { loadCheckpoint, selectBackend } from "@attune/core/train";
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
import type { Context, Identity } from "../trpc.ts";
import { notFound } from "../trpc.ts";
import { checkStoredFolder, FolderRefusal } from "./checks.ts";

/** Attune's own tokenizer (TokenizerJson), which a trial's checkpoint carries. */
const TOKENIZER_FILE = "attune-tokenizer.json";

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
  const folder = await exportedFolder(checkpointWithBytes(stored, trial.id).data, trial.id);
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
      tokenizer: folder.has(TOKENIZER_FILE) ? TOKENIZER_FILE : null,
    });
  } catch (error) {
    if (!(error instanceof FolderRefusal)) throw error;
    return setModelStatus(ctx.db, model.id, { status: "failed", error: error.message });
  }
}

/** The checkpoint's weights as GPT-2 files, and its tokenizer; refused when GPT-2 cannot hold it. */
async function exportedFolder(data: Buffer, trialId: string): Promise<Map<string, Uint8Array>> {
  await selectBackend();
  // A copy: the driver's Buffer can be a view of a larger pool (see generation.ts).
  const { model, optimizer, tokenizer } = loadCheckpoint(new Uint8Array(data));
  try {
    // End-of-text begins and ends GPT-2's generations, as in the original's configs.
    const endOfText = tokenizer ? tokenizerFromJSON(tokenizer).endOfText : undefined;
    const folder = exportHuggingFaceGPT2(model, { bosTokenId: endOfText, eosTokenId: endOfText });
    if (tokenizer) {
      folder.set(TOKENIZER_FILE, new TextEncoder().encode(`${JSON.stringify(tokenizer)}\n`));
    }
    return folder;
  } catch (error) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `trial ${trialId}'s model cannot be written as GPT-2: ${(error as Error).message}`,
      cause: error,
    });
  } finally {
    disposeGPT(model);
    optimizer.dispose();
  }
}
