import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataset } from "../src/queries/datasets.ts";
import { registerRunner } from "../src/queries/runners.ts";
import {
  cancelStrategyRun,
  claimStrategyRun,
  completeStrategyRun,
  createStrategyRun,
  failStrategyRun,
  getStrategyRun,
  listStrategyRuns,
  type NewStrategyRun,
  requeueStrategyRun,
} from "../src/queries/strategies.ts";
import { JobQueue } from "../src/queue.ts";
import { seedProject } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();
let queue: JobQueue;

beforeAll(async () => {
  queue = await JobQueue.connect(test.url, "strategies-test");
});

afterAll(async () => {
  await queue.stop();
});

async function seedRun(): Promise<NewStrategyRun> {
  const { owner, project } = await seedProject(test.db);
  const dataset = await createDataset(test.db, {
    projectId: project.id,
    name: "text",
    source: "upload",
    origin: "text.txt",
    format: "text",
    tokenizer: "char",
    content: "some text",
    createdBy: owner.id,
  });
  return {
    projectId: project.id,
    datasetId: dataset.id,
    kind: "lr-range-test",
    settings: { trial: { layers: 1 }, options: { minLr: 1e-5, maxLr: 1, steps: 20 } },
    createdBy: owner.id,
  };
}

async function seedRunner(name: string) {
  return registerRunner(test.db, {
    name,
    host: "test",
    pid: 1,
    backend: "wasm",
    backendReason: "test",
    device: "cpu",
    cores: 1,
    capacity: 1,
  });
}

/** The run ids of the strategy jobs delivered, in order, until `last` is (or a minute passes). */
async function deliveredUntil(last: string): Promise<string[]> {
  const delivered: string[] = [];
  const worker = await JobQueue.connect(test.url, "strategies-test-worker");
  await worker.work("strategy", { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) delivered.push(job.data.runId);
  });
  for (const started = Date.now(); !delivered.includes(last) && Date.now() - started < 60_000; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await worker.stop();
  return delivered;
}

describe("strategy runs", () => {
  it("round-trip from queued through running to completed, newest first in their project", async () => {
    const input = await seedRun();
    const run = await createStrategyRun(test.db, queue, input);
    expect(run).toMatchObject({
      ...input,
      status: "queued",
      result: null,
      error: null,
      runnerId: null,
      startedAt: null,
      finishedAt: null,
    });
    expect(await getStrategyRun(test.db, run.id)).toEqual(run);
    const newer = await createStrategyRun(test.db, queue, { ...input, kind: "batch-size-sweep" });
    expect((await listStrategyRuns(test.db, input.projectId)).map((r) => r.id)).toEqual([
      newer.id,
      run.id,
    ]);

    const runner = await seedRunner("strategy-runner");
    const claimed = await claimStrategyRun(test.db, run.id, runner.id);
    expect(claimed).toMatchObject({ status: "running", runnerId: runner.id });
    expect(claimed?.startedAt).toBeInstanceOf(Date);
    const result = { curve: [{ lr: 1e-5, loss: 3, smoothedLoss: 3 }], suggestedLr: 1e-3 };
    const completed = await completeStrategyRun(test.db, run.id, result);
    expect(completed).toMatchObject({ status: "completed", result, error: null });
    expect(completed?.finishedAt).toBeInstanceOf(Date);
    // A finished run is not claimed, failed, cancelled or completed again.
    expect(await claimStrategyRun(test.db, run.id, runner.id)).toBeUndefined();
    expect(await failStrategyRun(test.db, run.id, "late")).toBeUndefined();
    expect(await cancelStrategyRun(test.db, run.id)).toBeUndefined();
    expect(await getStrategyRun(test.db, run.id)).toMatchObject({ status: "completed", result });
  });

  it("fail with their error, and cancel from queued or running only", async () => {
    const input = await seedRun();
    const failing = await createStrategyRun(test.db, queue, input);
    expect(
      await failStrategyRun(test.db, failing.id, "heads 3: must divide d_model"),
    ).toMatchObject({ status: "failed", error: "heads 3: must divide d_model" });

    const cancelled = await createStrategyRun(test.db, queue, input);
    expect(await cancelStrategyRun(test.db, cancelled.id)).toMatchObject({ status: "cancelled" });
    expect(
      await claimStrategyRun(test.db, cancelled.id, (await seedRunner("r")).id),
    ).toBeUndefined();

    const running = await createStrategyRun(test.db, queue, input);
    await claimStrategyRun(test.db, running.id, (await seedRunner("r2")).id);
    expect(await cancelStrategyRun(test.db, running.id)).toMatchObject({ status: "cancelled" });
    // The runner finishing afterwards does not overwrite the cancel.
    expect(await completeStrategyRun(test.db, running.id, { recommended: 8 })).toBeUndefined();
  });

  it("go back on the queue when their runner shuts down", async () => {
    const run = await createStrategyRun(test.db, queue, await seedRun());
    expect(await requeueStrategyRun(test.db, queue, run.id)).toBeUndefined();
    await claimStrategyRun(test.db, run.id, (await seedRunner("r3")).id);
    expect(await requeueStrategyRun(test.db, queue, run.id)).toMatchObject({
      status: "queued",
      runnerId: null,
      startedAt: null,
    });
  });

  it("enqueue their job with the row: a rolled-back run is never delivered, a committed one is", async () => {
    const input = await seedRun();
    let rolledBack: string | undefined;
    await expect(
      test.db.transaction(async (tx) => {
        rolledBack = (await createStrategyRun(tx, queue, input)).id;
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const committed = await createStrategyRun(test.db, queue, input);

    // Jobs come in the order they were queued, so the rolled-back one would have come first.
    const delivered = await deliveredUntil(committed.id);
    expect(delivered).toContain(committed.id);
    expect(delivered).not.toContain(rolledBack);
    expect(rolledBack).toBeDefined();
    expect(await getStrategyRun(test.db, rolledBack ?? "")).toBeUndefined();
    expect((await listStrategyRuns(test.db, input.projectId)).map((run) => run.id)).toEqual([
      committed.id,
    ]);
  });
});
