// Models of a project and their files; the bytes are blobs (queries/blobs.ts).
import { createHash } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { blobs, modelFiles, models, modelUploadParts, projects } from "../schema/index.ts";
import { claimBlob, deleteUnreferencedBlobs, readBlobChunks } from "./blobs.ts";
import { single } from "./shared.ts";

export type Model = typeof models.$inferSelect;
export type ModelStatus = Model["status"];

export interface ModelFileSpec {
  name: string;
  sizeBytes: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

export interface ModelFile extends ModelFileSpec {
  /** Whether the blob's whole content was hashed and found to be its hash. */
  verified: boolean;
}

export interface NewModel {
  projectId: string;
  name: string;
  source: Model["source"];
  files: ModelFileSpec[];
  createdBy?: string | null;
}

/** A folder's hash: SHA-256 of its sorted "name  sha256" lines, so equal folders hash equal. */
export function folderHash(files: readonly ModelFileSpec[]): string {
  const lines = files.map((file) => `${file.name}  ${file.sha256}\n`).sort();
  return createHash("sha256").update(lines.join("")).digest("hex");
}

/** A model with its files' blobs claimed (created empty when not stored yet), status uploading. */
export async function createModel(db: Executor, model: NewModel): Promise<Model> {
  const rows = await db
    .insert(models)
    .values({
      projectId: model.projectId,
      name: model.name,
      source: model.source,
      sizeBytes: model.files.reduce((sum, file) => sum + file.sizeBytes, 0),
      contentHash: folderHash(model.files),
      createdBy: model.createdBy ?? null,
    })
    .returning();
  const created = single(rows, `creating model "${model.name}" returned no row`);
  for (const file of model.files) await claimBlob(db, file.sha256, file.sizeBytes);
  if (model.files.length > 0) {
    await db.insert(modelFiles).values(
      model.files.map((file) => ({
        modelId: created.id,
        name: file.name,
        blobHash: file.sha256,
      })),
    );
  }
  return created;
}

export async function getModel(db: Executor, id: string): Promise<Model | undefined> {
  const [row] = await db.select().from(models).where(eq(models.id, id));
  return row;
}

export async function findProjectModel(
  db: Executor,
  projectId: string,
  name: string,
): Promise<Model | undefined> {
  const [row] = await db
    .select()
    .from(models)
    .where(and(eq(models.projectId, projectId), eq(models.name, name)));
  return row;
}

/** The project's model a spec names, by id or by name. */
export async function findModelByReference(
  db: Executor,
  projectId: string,
  reference: string,
): Promise<Model | undefined> {
  const byName = await findProjectModel(db, projectId, reference);
  if (byName || !UUID.test(reference)) return byName;
  const byId = await getModel(db, reference);
  return byId?.projectId === projectId ? byId : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listModels(db: Executor, projectId: string): Promise<Model[]> {
  return db.select().from(models).where(eq(models.projectId, projectId)).orderBy(asc(models.name));
}

export async function listModelFiles(db: Executor, modelId: string): Promise<ModelFile[]> {
  return db
    .select({
      name: modelFiles.name,
      sizeBytes: blobs.sizeBytes,
      sha256: blobs.hash,
      verified: blobs.verified,
    })
    .from(modelFiles)
    .innerJoin(blobs, eq(blobs.hash, modelFiles.blobHash))
    .where(eq(modelFiles.modelId, modelId))
    .orderBy(asc(modelFiles.name));
}

/**
 * A ready model's files with their bytes, as core's importers take them (ModelFiles): what a
 * runner loads, through DATABASE_URL alone. `only`: just the files of these names (a tokenizer's,
 * without the weights). `allocate` makes each file's array (a runner's are in shared memory, which
 * its threads read without a copy).
 */
export async function readModelFiles(
  db: Executor,
  modelId: string,
  options: {
    only?: readonly string[];
    allocate?: (sizeBytes: number) => Uint8Array;
  } = {},
): Promise<Map<string, Uint8Array>> {
  const model = await getModel(db, modelId);
  if (model?.status !== "ready") {
    throw new Error(`model ${modelId} is ${model ? model.status : "missing"}, not ready to read`);
  }
  const files = new Map<string, Uint8Array>();
  const { only, allocate = (sizeBytes: number) => new Uint8Array(sizeBytes) } = options;
  const listed = await listModelFiles(db, modelId);
  for (const file of listed.filter(({ name }) => only === undefined || only.includes(name))) {
    const bytes = allocate(file.sizeBytes);
    let offset = 0;
    for await (const chunk of readBlobChunks(db, file.sha256, file.sizeBytes)) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    files.set(file.name, bytes);
  }
  return files;
}

export interface ModelOutcome {
  status: ModelStatus;
  error?: string | null;
  architecture?: string | null;
  config?: unknown;
  parameterCount?: number | null;
  tokenizer?: string | null;
}

export async function setModelStatus(
  db: Executor,
  id: string,
  outcome: ModelOutcome,
): Promise<Model> {
  const rows = await db.update(models).set(outcome).where(eq(models.id, id)).returning();
  return single(rows, `no model ${id}`);
}

/** Deletes the model, and the blobs that no other model holds. */
export async function deleteModel(db: Executor, id: string): Promise<boolean> {
  const rows = await db.delete(models).where(eq(models.id, id)).returning({ id: models.id });
  if (rows.length > 0) await deleteUnreferencedBlobs(db);
  return rows.length > 0;
}

export async function recordUploadPart(
  db: Executor,
  modelId: string,
  fileName: string,
  index: number,
): Promise<void> {
  await db.insert(modelUploadParts).values({ modelId, fileName, index }).onConflictDoNothing();
}

/** The part indexes the model's upload has sent so far, by file name. */
export async function uploadedParts(db: Executor, modelId: string): Promise<Map<string, number[]>> {
  const rows = await db
    .select({ fileName: modelUploadParts.fileName, index: modelUploadParts.index })
    .from(modelUploadParts)
    .where(eq(modelUploadParts.modelId, modelId))
    .orderBy(asc(modelUploadParts.fileName), asc(modelUploadParts.index));
  const parts = new Map<string, number[]>();
  for (const { fileName, index } of rows)
    parts.set(fileName, [...(parts.get(fileName) ?? []), index]);
  return parts;
}

export async function clearUploadParts(db: Executor, modelId: string): Promise<void> {
  await db.delete(modelUploadParts).where(eq(modelUploadParts.modelId, modelId));
}

/**
 * Which of `hashes` a ready model of the team holds: those files the team need not send again (a
 * model of another team does not count, or its hash alone would give its weights away).
 */
export async function blobsHeldByTeam(
  db: Executor,
  teamId: string,
  hashes: string[],
): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ hash: modelFiles.blobHash })
    .from(modelFiles)
    .innerJoin(models, eq(models.id, modelFiles.modelId))
    .innerJoin(projects, eq(projects.id, models.projectId))
    .where(
      and(
        eq(projects.teamId, teamId),
        eq(models.status, "ready"),
        inArray(modelFiles.blobHash, hashes),
      ),
    );
  return new Set(rows.map((row) => row.hash));
}
