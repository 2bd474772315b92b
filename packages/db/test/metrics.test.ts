import { describe, expect, it } from "vitest";
import { getCheckpoint, listCheckpoints, saveCheckpoint } from "../src/queries/checkpoints.ts";
import { type MetricPoint, readMetrics, writeMetrics } from "../src/queries/metrics.ts";
import { createNextTrial, type Trial } from "../src/queries/trials.ts";
import { seedStudy } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

async function seedTrial(): Promise<Trial> {
  const { study } = await seedStudy(test.db);
  return createNextTrial(test.db, { studyId: study.id, params: {} });
}

describe("metrics", () => {
  it("are read back by key and step", async () => {
    const trial = await seedTrial();
    const recordedAt = new Date("2026-03-04T05:06:07.891Z");
    await writeMetrics(test.db, [
      { trialId: trial.id, key: "loss", step: 2, value: 1.5, recordedAt },
      { trialId: trial.id, key: "val_loss", step: 1, value: 2.25, recordedAt },
      { trialId: trial.id, key: "loss", step: 1, value: 2.5, recordedAt },
    ]);
    expect(await readMetrics(test.db, trial.id)).toEqual([
      { trialId: trial.id, key: "loss", step: 1, value: 2.5, recordedAt },
      { trialId: trial.id, key: "loss", step: 2, value: 1.5, recordedAt },
      { trialId: trial.id, key: "val_loss", step: 1, value: 2.25, recordedAt },
    ]);
    expect((await readMetrics(test.db, trial.id, "loss")).map((m) => m.step)).toEqual([1, 2]);
    expect(await readMetrics(test.db, trial.id, "accuracy")).toEqual([]);
    expect(await readMetrics(test.db, (await seedTrial()).id, "loss")).toEqual([]);
  });

  it("are replaced, not added, when a (trial, key, step) is written again", async () => {
    const trial = await seedTrial();
    const point = { trialId: trial.id, key: "loss", step: 5 };
    await writeMetrics(test.db, [{ ...point, value: 1 }]);
    await writeMetrics(test.db, [{ ...point, value: 0.5 }]);
    const rows = await readMetrics(test.db, trial.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ...point, value: 0.5 });
  });

  it("keep the last of duplicate points in one call", async () => {
    const trial = await seedTrial();
    const point = { trialId: trial.id, key: "loss", step: 1 };
    await writeMetrics(test.db, [
      { ...point, value: 3 },
      { ...point, value: 2 },
    ]);
    expect((await readMetrics(test.db, trial.id)).map((m) => m.value)).toEqual([2]);
    await writeMetrics(test.db, []);
    expect(await readMetrics(test.db, trial.id)).toHaveLength(1);
  });

  it("are written in batches larger than one statement takes", async () => {
    const trial = await seedTrial();
    const points: MetricPoint[] = Array.from({ length: 25_000 }, (_, step) => ({
      trialId: trial.id,
      key: "loss",
      step,
      value: 1 / (step + 1),
    }));
    await writeMetrics(test.db, points);
    const rows = await readMetrics(test.db, trial.id, "loss");
    expect(rows).toHaveLength(25_000);
    expect(rows.at(-1)).toMatchObject({ step: 24_999, value: 1 / 25_000 });
  });
});

describe("checkpoints", () => {
  it("keep one best and one last per trial, each replaced by the next save", async () => {
    const trial = await seedTrial();
    const bestData = Buffer.from([0, 1, 2, 253, 254, 255]);
    const best = await saveCheckpoint(test.db, {
      trialId: trial.id,
      kind: "best",
      step: 10,
      data: bestData,
      sizeBytes: bestData.length,
    });
    expect(best).toMatchObject({ trialId: trial.id, kind: "best", step: 10, storageRef: null });
    expect(best).not.toHaveProperty("data");
    const last = await saveCheckpoint(test.db, {
      trialId: trial.id,
      kind: "last",
      step: 20,
      storageRef: "checkpoints/trial/last.bin",
      sizeBytes: 4096,
    });
    expect(await getCheckpoint(test.db, trial.id, "best")).toEqual({ ...best, data: bestData });
    expect(await getCheckpoint(test.db, trial.id, "last")).toEqual({ ...last, data: null });
    expect(await listCheckpoints(test.db, trial.id)).toEqual([best, last]);

    const newerData = Buffer.from("newer weights");
    const newerLast = await saveCheckpoint(test.db, {
      trialId: trial.id,
      kind: "last",
      step: 30,
      data: newerData,
      sizeBytes: newerData.length,
    });
    expect(newerLast).toMatchObject({ id: last.id, step: 30, storageRef: null });
    expect(newerLast.createdAt.getTime()).toBeGreaterThanOrEqual(last.createdAt.getTime());
    expect((await getCheckpoint(test.db, trial.id, "last"))?.data).toEqual(newerData);
    expect(await listCheckpoints(test.db, trial.id)).toEqual([best, newerLast]);
  });

  it("need either inline data or a storage reference, not both", async () => {
    const trial = await seedTrial();
    const base = { trialId: trial.id, kind: "best" as const, step: 1, sizeBytes: 1 };
    await expect(saveCheckpoint(test.db, base)).rejects.toThrow();
    await expect(
      saveCheckpoint(test.db, { ...base, data: Buffer.from([1]), storageRef: "x" }),
    ).rejects.toThrow();
    expect(await listCheckpoints(test.db, trial.id)).toEqual([]);
  });
});
