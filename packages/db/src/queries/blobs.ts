// Blobs: files named by their SHA-256, kept in chunks of MODEL_PART_BYTES so that no reader or
// writer needs a whole file in memory, and stored once however many models hold them.
import { createHash } from "node:crypto";
import { and, asc, eq, notExists, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { MODEL_PART_BYTES } from "../limits.ts";
import { blobChunks, blobs, modelFiles } from "../schema/index.ts";
import { single } from "./shared.ts";

export type Blob = typeof blobs.$inferSelect;

/** How many chunks a blob of `sizeBytes` has (an empty file has none). */
export function chunkCount(sizeBytes: number): number {
  return Math.ceil(sizeBytes / MODEL_PART_BYTES);
}

/** The size chunk `index` of a blob of `sizeBytes` must have. */
export function chunkSize(sizeBytes: number, index: number): number {
  return Math.min(MODEL_PART_BYTES, sizeBytes - index * MODEL_PART_BYTES);
}

/**
 * The blob named `hash`, created empty when there is none. A blob stored under the same hash with
 * another size is refused: one of the two claims is wrong.
 */
export async function claimBlob(db: Executor, hash: string, sizeBytes: number): Promise<Blob> {
  await db.insert(blobs).values({ hash, sizeBytes }).onConflictDoNothing();
  const [blob] = await db.select().from(blobs).where(eq(blobs.hash, hash));
  const claimed = single(blob ? [blob] : [], `blob ${hash} vanished while being claimed`);
  if (claimed.sizeBytes !== sizeBytes) {
    throw new Error(
      `a file with SHA-256 ${hash} is stored with ${claimed.sizeBytes} bytes, not ${sizeBytes}: ` +
        "the size or the hash given is wrong",
    );
  }
  return claimed;
}

export async function getBlob(db: Executor, hash: string): Promise<Blob | undefined> {
  const [blob] = await db.select().from(blobs).where(eq(blobs.hash, hash));
  return blob;
}

/**
 * Stores chunk `index` of a blob unless it is stored already, and says whether the stored chunk
 * holds these bytes ("different" when another upload stored other bytes under the same hash).
 */
export async function writeBlobChunk(
  db: Executor,
  hash: string,
  index: number,
  bytes: Uint8Array,
): Promise<"written" | "same" | "different"> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inserted = await db
    .insert(blobChunks)
    .values({ hash, index, bytes: data })
    .onConflictDoNothing()
    .returning({ index: blobChunks.index });
  if (inserted.length > 0) return "written";
  const [row] = await db
    .select({ same: sql<boolean>`${blobChunks.bytes} = ${data}` })
    .from(blobChunks)
    .where(and(eq(blobChunks.hash, hash), eq(blobChunks.index, index)));
  return row?.same ? "same" : "different";
}

/** The indexes of the chunks stored so far, in order. */
export async function storedChunkIndexes(db: Executor, hash: string): Promise<number[]> {
  const rows = await db
    .select({ index: blobChunks.index })
    .from(blobChunks)
    .where(eq(blobChunks.hash, hash))
    .orderBy(asc(blobChunks.index));
  return rows.map((row) => row.index);
}

/**
 * A blob's chunks in order, one query each, so that only one chunk is in memory at a time. Throws
 * on a missing chunk: a blob read this way must be complete.
 */
export async function* readBlobChunks(
  db: Executor,
  hash: string,
  sizeBytes: number,
): AsyncGenerator<Buffer> {
  for (let index = 0; index < chunkCount(sizeBytes); index++) {
    const [row] = await db
      .select({ bytes: blobChunks.bytes })
      .from(blobChunks)
      .where(and(eq(blobChunks.hash, hash), eq(blobChunks.index, index)));
    if (!row) throw new Error(`blob ${hash} has no chunk ${index}: it is incomplete`);
    yield row.bytes;
  }
}

/** Bytes [start, start + length) of a blob, reading only the chunks that hold them. */
export async function readBlobRange(
  db: Executor,
  hash: string,
  start: number,
  length: number,
): Promise<Uint8Array> {
  const range = new Uint8Array(length);
  const first = Math.floor(start / MODEL_PART_BYTES);
  const last = Math.floor((start + length - 1) / MODEL_PART_BYTES);
  let filled = 0;
  for (let index = first; index <= last && length > 0; index++) {
    const [row] = await db
      .select({ bytes: blobChunks.bytes })
      .from(blobChunks)
      .where(and(eq(blobChunks.hash, hash), eq(blobChunks.index, index)));
    if (!row) throw new Error(`blob ${hash} has no chunk ${index}: it is incomplete`);
    const from = Math.max(0, start + filled - index * MODEL_PART_BYTES);
    const piece = row.bytes.subarray(from, from + length - filled);
    range.set(piece, filled);
    filled += piece.length;
  }
  return range.subarray(0, filled);
}

/** Hashes the stored chunks; marks the blob verified when they are its hash, else deletes them. */
export async function verifyBlob(db: Executor, hash: string, sizeBytes: number): Promise<boolean> {
  const sha256 = createHash("sha256");
  let stored = 0;
  for await (const chunk of readBlobChunks(db, hash, sizeBytes)) {
    sha256.update(chunk);
    stored += chunk.length;
  }
  if (stored === sizeBytes && sha256.digest("hex") === hash) {
    await db.update(blobs).set({ verified: true }).where(eq(blobs.hash, hash));
    return true;
  }
  await db.delete(blobChunks).where(eq(blobChunks.hash, hash));
  return false;
}

/** Stores bytes at hand as a verified blob (when not stored already) and returns its hash. */
export async function storeBlob(db: Executor, bytes: Uint8Array): Promise<string> {
  const hash = createHash("sha256").update(bytes).digest("hex");
  const blob = await claimBlob(db, hash, bytes.length);
  if (blob.verified) return hash;
  for (let index = 0; index < chunkCount(bytes.length); index++) {
    const start = index * MODEL_PART_BYTES;
    const chunk = Buffer.from(bytes.subarray(start, start + MODEL_PART_BYTES));
    // These bytes are the hash's: they replace whatever an unfinished upload left.
    await db
      .insert(blobChunks)
      .values({ hash, index, bytes: chunk })
      .onConflictDoUpdate({ target: [blobChunks.hash, blobChunks.index], set: { bytes: chunk } });
  }
  await db.update(blobs).set({ verified: true }).where(eq(blobs.hash, hash));
  return hash;
}

/** Deletes the blobs no model file names any more, with their chunks. */
export async function deleteUnreferencedBlobs(db: Executor): Promise<number> {
  const rows = await db
    .delete(blobs)
    .where(notExists(db.select().from(modelFiles).where(eq(modelFiles.blobHash, blobs.hash))))
    .returning({ hash: blobs.hash });
  return rows.length;
}
