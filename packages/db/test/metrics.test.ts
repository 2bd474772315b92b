import { describe, expect, it } from "vitest";
import { getCheckpoint, listCheckpoints, saveCheckpoint } from "../src/queries/checkpoints.ts";
import {
  type MetricPoint,
  metricsAsOf,
  readMetricSummaries,
  readMetrics,
  readTrialCurves,
  writeMetrics,
} from "../src/queries/metrics.ts";
import { createNextTrial, type Trial } from "../src/queries/trials.ts";
import { seedStudy } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

/** Repeatable noise in [-0.5, 0.5) for integer n (the splitmix32 finalizer), for test series. */
function noise(n: number): number {
  let z = Math.imul(n ^ (n >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32 - 0.5;
}

async function seedTrial(): Promise<Trial> {
  const { study } = await seedStudy(test.db);
  return createNextTrial(test.db, { studyId: study.id, params: {} });
}

describe("metrics", () => {
  it("are summarised per trial and key: the last value and the harmonic mean", async () => {
    const trial = await seedTrial();
    const sibling = await createNextTrial(test.db, { studyId: trial.studyId, params: {} });
    const stranger = await seedTrial();
    const throughput = (trialId: string, values: number[]) =>
      values.map((value, i) => ({ trialId, key: "tokens_per_s", step: i + 1, value }));
    await writeMetrics(test.db, [
      ...throughput(trial.id, [400, 100, 200]),
      { trialId: trial.id, key: "param_count", step: 3, value: 5000 },
      { trialId: trial.id, key: "val_loss", step: 3, value: 2 },
      ...throughput(sibling.id, [50]),
      ...throughput(stranger.id, [10]),
    ]);
    const summaries = await readMetricSummaries(
      test.db,
      trial.studyId,
      [trial.id, stranger.id],
      ["tokens_per_s", "param_count"],
    );
    const sorted = summaries.sort((a, b) => a.key.localeCompare(b.key));
    expect(sorted).toEqual([
      { trialId: trial.id, key: "param_count", last: 5000, harmonicMean: 5000 },
      // 3 / (1/400 + 1/100 + 1/200): the rate over the three steps when each trains equal tokens.
      {
        trialId: trial.id,
        key: "tokens_per_s",
        last: 200,
        harmonicMean: expect.closeTo(3 / 0.0175, 9),
      },
    ]);
    expect(await readMetricSummaries(test.db, trial.studyId, [], ["tokens_per_s"])).toEqual([]);
  });

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

  it("are read as they stood at a step: each key's latest point at or before it", async () => {
    const trial = await seedTrial();
    const point = (key: string, step: number, value: number) => ({
      trialId: trial.id,
      key,
      step,
      value,
    });
    await writeMetrics(test.db, [
      point("baseline", 0, 3),
      point("val_loss", 10, 2.5),
      point("val_loss", 20, 2),
      point("val_loss", 30, 1.5),
      point("train_loss", 20, 1.9),
    ]);
    const asOf = async (step: number, keys = ["val_loss", "baseline", "val_accuracy"]) =>
      (await metricsAsOf(test.db, trial.id, keys, step)).map((m) => [m.key, m.step, m.value]);
    expect(await asOf(25)).toEqual([
      ["baseline", 0, 3],
      ["val_loss", 20, 2],
    ]);
    expect(await asOf(30)).toEqual([
      ["baseline", 0, 3],
      ["val_loss", 30, 1.5],
    ]);
    expect(await asOf(5)).toEqual([["baseline", 0, 3]]);
    expect(await asOf(30, [])).toEqual([]);
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

describe("curves", () => {
  /** A trial of a new study whose `key` series has `values` at steps 0, 1, 2, … */
  async function trialWithSeries(values: number[], key = "loss") {
    const trial = await seedTrial();
    await writeMetrics(
      test.db,
      values.map((value, step) => ({ trialId: trial.id, key, step, value })),
    );
    return trial;
  }

  async function curve(trial: Trial, maxPoints: number, key = "loss") {
    const rows = await readTrialCurves(test.db, trial.studyId, [trial.id], [key], maxPoints);
    return rows.map(({ step, value }) => ({ step, value }));
  }

  /** What the buckets mean, written out plainly: the lowest and highest point of each. */
  function expectedCurve(values: number[], maxPoints: number) {
    const points = values.map((value, step) => ({ step, value }));
    if (points.length <= maxPoints) return points;
    const buckets = Math.floor(maxPoints / 2);
    const kept: typeof points = [];
    for (let bucket = 0; bucket < buckets; bucket++) {
      const slice = points.slice(
        Math.floor((bucket * points.length) / buckets),
        Math.floor(((bucket + 1) * points.length) / buckets),
      );
      const low = slice.reduce((a, b) => (b.value < a.value ? b : a));
      const high = slice.reduce((a, b) => (b.value > a.value ? b : a));
      kept.push(...(low === high ? [low] : [low, high].sort((a, b) => a.step - b.step)));
    }
    return kept;
  }

  it("returns a short series whole", async () => {
    const trial = await trialWithSeries([3, 1, 2]);
    expect(await curve(trial, 5)).toEqual([
      { step: 0, value: 3 },
      { step: 1, value: 1 },
      { step: 2, value: 2 },
    ]);
  });

  it("keeps each bucket's lowest and highest point, at most maxPoints, in step order", async () => {
    for (const [length, maxPoints] of [
      [1000, 200],
      [1001, 7],
      [10_001, 300],
      [37, 36],
      [5, 2],
    ] as const) {
      const values = Array.from({ length }, (_, i) => Math.sin(i / 50) + 0.3 * noise(length + i));
      const kept = await curve(await trialWithSeries(values), maxPoints);
      expect(kept).toEqual(expectedCurve(values, maxPoints));
      expect(kept.length).toBeLessThanOrEqual(maxPoints);
    }
  });

  it("keeps a spike and a dip that striding would miss", async () => {
    const values = Array.from({ length: 1000 }, () => 1);
    values[333] = 50;
    values[667] = -7;
    const kept = await curve(await trialWithSeries(values), 10);
    expect(kept).toContainEqual({ step: 333, value: 50 });
    expect(kept).toContainEqual({ step: 667, value: -7 });
  });

  it("keeps the first point of a flat bucket, and a NaN as a bucket's highest", async () => {
    expect(await curve(await trialWithSeries([2, 2, 2, 2]), 2)).toEqual([{ step: 0, value: 2 }]);
    const kept = await curve(await trialWithSeries([1, Number.NaN, 0.5, 0.7]), 2);
    expect(kept).toEqual([
      { step: 1, value: Number.NaN },
      { step: 2, value: 0.5 },
    ]);
  });

  it("reads every trial of the study when none are named, and only the study's", async () => {
    const trial = await trialWithSeries([1, 2]);
    const sibling = await createNextTrial(test.db, { studyId: trial.studyId, params: {} });
    await writeMetrics(test.db, [
      { trialId: sibling.id, key: "loss", step: 0, value: 5 },
      { trialId: sibling.id, key: "lr", step: 0, value: 0.1 },
    ]);
    const stranger = await trialWithSeries([9]);
    const all = await readTrialCurves(test.db, trial.studyId, undefined, ["loss", "lr"], 10);
    expect(all.map((row) => [row.trialId, row.key, row.step])).toEqual(
      [
        [trial.id, "loss", 0],
        [trial.id, "loss", 1],
        [sibling.id, "loss", 0],
        [sibling.id, "lr", 0],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(await readTrialCurves(test.db, trial.studyId, [stranger.id], ["loss"], 10)).toEqual([]);
    expect(await readTrialCurves(test.db, trial.studyId, [], ["loss"], 10)).toEqual([]);
    await expect(readTrialCurves(test.db, trial.studyId, undefined, ["loss"], 1)).rejects.toThrow(
      /at least 2/,
    );
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
