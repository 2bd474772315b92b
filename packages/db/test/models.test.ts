import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  chunkCount,
  getBlob,
  readBlobChunks,
  readBlobRange,
  storeBlob,
  storedChunkIndexes,
  verifyBlob,
  writeBlobChunk,
} from "../src/queries/blobs.ts";
import {
  blobsHeldByTeam,
  createModel,
  deleteModel,
  listModelFiles,
  readModelFiles,
  setModelStatus,
} from "../src/queries/models.ts";
import { blobChunks, blobs, MODEL_PART_BYTES } from "../src/schema/index.ts";
import { seedProject } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

/** Bytes that differ from chunk to chunk, so a chunk out of order would show. */
function patterned(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return bytes;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("blobs", () => {
  it("come back whole from their chunks, in order, one chunk per read", async () => {
    const bytes = patterned(2 * MODEL_PART_BYTES + 1000);
    const hash = await storeBlob(test.db, bytes);
    expect(hash).toBe(sha256(bytes));
    expect(await storedChunkIndexes(test.db, hash)).toEqual([0, 1, 2]);
    const chunks: Buffer[] = [];
    for await (const chunk of readBlobChunks(test.db, hash, bytes.length)) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.length)).toEqual([MODEL_PART_BYTES, MODEL_PART_BYTES, 1000]);
    // Compared as one Buffer: vitest's deep equality walks megabytes element by element.
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    const start = MODEL_PART_BYTES - 10;
    expect(await readBlobRange(test.db, hash, start, 20)).toEqual(
      bytes.subarray(start, start + 20),
    );
    expect(await getBlob(test.db, hash)).toMatchObject({ sizeBytes: bytes.length, verified: true });
  });

  it("are stored once however often they are stored", async () => {
    const bytes = patterned(MODEL_PART_BYTES + 5, 2);
    const first = await storeBlob(test.db, bytes);
    const second = await storeBlob(test.db, new Uint8Array(bytes));
    expect(second).toBe(first);
    expect(await test.db.$count(blobs, eq(blobs.hash, first))).toBe(1);
    expect(await test.db.$count(blobChunks, eq(blobChunks.hash, first))).toBe(
      chunkCount(bytes.length),
    );
  });

  it("tell a chunk sent again from one with other bytes, and are verified by their hash", async () => {
    const { project } = await seedProject(test.db);
    const bytes = patterned(100, 3);
    const hash = sha256(bytes);
    await createModel(test.db, {
      projectId: project.id,
      name: "m",
      source: "upload",
      files: [{ name: "model.safetensors", sizeBytes: 100, sha256: hash }],
    });
    expect(await writeBlobChunk(test.db, hash, 0, bytes)).toBe("written");
    expect(await writeBlobChunk(test.db, hash, 0, bytes)).toBe("same");
    expect(await writeBlobChunk(test.db, hash, 0, patterned(100, 4))).toBe("different");
    expect(await verifyBlob(test.db, hash, 100)).toBe(true);

    const lie = sha256(patterned(100, 5));
    await createModel(test.db, {
      projectId: project.id,
      name: "liar",
      source: "upload",
      files: [{ name: "model.safetensors", sizeBytes: 100, sha256: lie }],
    });
    await writeBlobChunk(test.db, lie, 0, bytes);
    expect(await verifyBlob(test.db, lie, 100)).toBe(false);
    expect(await storedChunkIndexes(test.db, lie)).toEqual([]);
  });
});

describe("models", () => {
  it("share blobs, which outlive a deleted model only while another holds them", async () => {
    const { project, team } = await seedProject(test.db);
    const bytes = patterned(1000, 6);
    const hash = await storeBlob(test.db, bytes);
    const files = [{ name: "model.safetensors", sizeBytes: 1000, sha256: hash }];
    const a = await createModel(test.db, {
      projectId: project.id,
      name: "a",
      source: "upload",
      files,
    });
    const b = await createModel(test.db, {
      projectId: project.id,
      name: "b",
      source: "upload",
      files,
    });
    expect(b.contentHash).toBe(a.contentHash);
    expect(await listModelFiles(test.db, a.id)).toEqual([{ ...files[0], verified: true }]);
    expect(await blobsHeldByTeam(test.db, team.id, [hash])).toEqual(new Set());
    await setModelStatus(test.db, a.id, { status: "ready" });
    expect(await blobsHeldByTeam(test.db, team.id, [hash])).toEqual(new Set([hash]));

    await expect(readModelFiles(test.db, b.id)).rejects.toThrow("is uploading, not ready to read");
    const read = await readModelFiles(test.db, a.id);
    expect([...read.keys()]).toEqual(["model.safetensors"]);
    expect(Buffer.from(read.get("model.safetensors") as Uint8Array).equals(bytes)).toBe(true);
    expect([...(await readModelFiles(test.db, a.id, { only: ["tokenizer.json"] })).keys()]).toEqual(
      [],
    );

    expect(await deleteModel(test.db, a.id)).toBe(true);
    expect(await getBlob(test.db, hash)).toBeDefined();
    expect(await deleteModel(test.db, b.id)).toBe(true);
    expect(await getBlob(test.db, hash)).toBeUndefined();
    expect(await storedChunkIndexes(test.db, hash)).toEqual([]);
  });

  it("refuse a file whose hash is stored with another size", async () => {
    const { project } = await seedProject(test.db);
    const hash = await storeBlob(test.db, patterned(10, 7));
    await expect(
      createModel(test.db, {
        projectId: project.id,
        name: "m",
        source: "upload",
        files: [{ name: "config.json", sizeBytes: 11, sha256: hash }],
      }),
    ).rejects.toThrow(`stored with 10 bytes, not 11`);
  });
});
