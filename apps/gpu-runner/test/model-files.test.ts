// The runner's model files (model-files.ts): read once per content into shared memory, held while
// trials use them, and the least recently used idle ones dropped past the bound.
import { createModel, setModelStatus, storeBlob } from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import { ModelFilesCache } from "../src/model-files.ts";

const test = useTestDatabase();

/** A ready model of one file of `size` bytes, all `fill`. */
async function storeModel(projectId: string, name: string, size: number, fill: number) {
  const bytes = new Uint8Array(size).fill(fill);
  const file = {
    name: "model.safetensors",
    sizeBytes: size,
    sha256: await storeBlob(test.db, bytes),
  };
  const model = await createModel(test.db, { projectId, name, source: "upload", files: [file] });
  return setModelStatus(test.db, model.id, { status: "ready" });
}

describe("a runner's model files", () => {
  it("are read once per content, in shared memory, and the idle least recently used go first", async () => {
    const { project } = await seedProject(test.db);
    const a = await storeModel(project.id, "a", 1000, 1);
    const sameAsA = await storeModel(project.id, "a-again", 1000, 1);
    const b = await storeModel(project.id, "b", 3000, 2);
    const cache = new ModelFilesCache(test.db, 3500);

    const first = await cache.acquire(a);
    const bytes = first.files.get("model.safetensors") as Uint8Array;
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(bytes).toEqual(new Uint8Array(1000).fill(1));
    // Another model of the same content is the same files, not read again.
    const second = await cache.acquire(sameAsA);
    expect(second.files).toBe(first.files);

    // Past the bound, but a is held: both stay.
    const third = await cache.acquire(b);
    expect(cache.sizeBytes).toBe(4000);
    first.release();
    first.release();
    expect(cache.sizeBytes).toBe(4000);
    // No trial holds a, the least recently used: it goes.
    second.release();
    expect(cache.sizeBytes).toBe(3000);
    // b, idle, fits: it stays for the next trial.
    third.release();
    expect((await cache.acquire(b)).files).toBe(third.files);
    expect((await cache.acquire(a)).files).not.toBe(first.files);
  });

  it("do not keep a failed read", async () => {
    const { project } = await seedProject(test.db);
    const model = await storeModel(project.id, "m", 10, 3);
    const cache = new ModelFilesCache(test.db, 1000);
    const uploading = await setModelStatus(test.db, model.id, { status: "uploading" });
    await expect(cache.acquire(uploading)).rejects.toThrow(/is uploading, not ready to read/);
    expect(cache.sizeBytes).toBe(0);
    await setModelStatus(test.db, model.id, { status: "ready" });
    const held = await cache.acquire(model);
    expect(held.files.get("model.safetensors")).toEqual(new Uint8Array(10).fill(3));
  });
});
