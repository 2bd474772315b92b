// Strategy runs trained by a runner process, through the queue, against a real PostgreSQL.
import { readDatasetSamples } from "@attune/control";
import { parseStrategyRequest, runStrategy } from "@attune/core/trial";
import {
  cancelStrategyRun,
  createStrategyRun,
  getStrategyRun,
  JobQueue,
  readModelFiles,
  setModelStatus,
} from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMobyDick,
  type RunnerProcess,
  seedFoxes,
  startRunner,
  tinyModel,
  trainingBudgetMs,
  until,
} from "./cluster.ts";
import { storeModel } from "./stored-model.ts";

const test = useTestDatabase();
let queue: JobQueue;
let runner: RunnerProcess;

beforeAll(async () => {
  queue = await JobQueue.connect(test.url, "strategies-test");
  runner = startRunner(test.url, "strategies");
});

afterAll(async () => {
  runner.child.kill("SIGKILL");
  await runner.exited;
  await queue.stop();
});

async function runOn(
  settings: Record<string, unknown>,
  seeded?: Awaited<ReturnType<typeof seedFoxes>>,
) {
  const { project, owner, dataset } = seeded ?? (await seedFoxes(test.db));
  return createStrategyRun(test.db, queue, {
    projectId: project.id,
    datasetId: dataset.id,
    kind: "lr-range-test",
    settings,
    createdBy: owner.id,
  });
}

/** The run once it has finished, whichever way. */
async function finished(runId: string) {
  return until(
    async () => {
      const run = await getStrategyRun(test.db, runId);
      return run && !["queued", "running"].includes(run.status) ? run : undefined;
    },
    trainingBudgetMs,
    `strategy run ${runId} finished`,
  );
}

describe("strategy runs on a runner", () => {
  it("run an LR range test and store its curve and suggestion", async () => {
    const options = { minLr: 1e-4, maxLr: 10, steps: 40, smoothing: 0.9 };
    const created = await runOn({ trial: tinyModel, options });
    const run = await finished(created.id);
    expect(run).toMatchObject({ status: "completed", error: null, runnerId: expect.any(String) });
    const result = run.result as { curve: { lr: number; loss: number }[]; suggestedLr: number };
    expect(result.curve.length).toBeGreaterThan(10);
    expect(result.curve[0]?.lr).toBeCloseTo(options.minLr);
    for (const point of result.curve) expect(point.lr).toBeLessThanOrEqual(options.maxLr);
    expect(result.suggestedLr).toBeGreaterThanOrEqual(options.minLr);
    expect(result.suggestedLr).toBeLessThanOrEqual(options.maxLr);
  });

  it("read a built-in corpus from its package, as trials do", async () => {
    const { project, owner } = await seedFoxes(test.db);
    const moby = await addMobyDick(test.db, project.id, owner.id);
    const created = await createStrategyRun(test.db, queue, {
      projectId: project.id,
      datasetId: moby.id,
      kind: "lr-range-test",
      settings: { trial: tinyModel, options: { minLr: 1e-4, maxLr: 1, steps: 10 } },
      createdBy: owner.id,
    });
    const run = await finished(created.id);
    expect(run).toMatchObject({ status: "completed", error: null });
  });

  it("fail with a message that names a setting that cannot be built", async () => {
    const created = await runOn({ trial: { ...tinyModel, heads: 3 }, options: { steps: 10 } });
    const run = await finished(created.id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/heads/);
    expect(run.result).toBeNull();
  });

  it("stop when cancelled, leaving the runner free for the next run", async () => {
    const long = await runOn({
      trial: tinyModel,
      options: { minLr: 1e-6, maxLr: 1e-5, steps: 1_000_000 },
    });
    await until(
      async () =>
        (await getStrategyRun(test.db, long.id))?.status === "running" ? true : undefined,
      trainingBudgetMs,
      "long run started",
    );
    await cancelStrategyRun(test.db, long.id);
    const next = await runOn({ trial: tinyModel, options: { steps: 10 } });
    expect((await finished(next.id)).status).toBe("completed");
    expect(await getStrategyRun(test.db, long.id)).toMatchObject({
      status: "cancelled",
      result: null,
    });
  });

  it("start from a model of the project, as trials do, and only from a ready one", async () => {
    const foxes = await seedFoxes(test.db);
    const model = await storeModel(test.db, foxes.project.id);
    const settings = {
      model: "tiny-gpt2",
      trial: { seq_len: 16, batch_size: 4, finetune: "lora", lora_r: 2 },
      options: { minLr: 1e-4, maxLr: 1e-1, steps: 5 },
    };
    const run = await finished((await runOn(settings, foxes)).id);
    expect(run).toMatchObject({ status: "completed", error: null });
    // The same test here, from the model's files, takes the same steps: the runner read the model.
    const expected = await runStrategy(parseStrategyRequest("lr-range-test", settings), {
      dataset: await readDatasetSamples(test.db, foxes.dataset),
      baseModel: await readModelFiles(test.db, model.id),
    });
    const losses = (result: unknown) =>
      (result as { curve: { loss: number }[] }).curve.map((point) => point.loss);
    expect(losses(run.result)).toHaveLength(5);
    losses(run.result).forEach((loss, i) => {
      expect(loss).toBeCloseTo(losses(expected)[i] ?? Number.NaN, 4);
    });

    await setModelStatus(test.db, model.id, { status: "failed", error: "bad weights" });
    const refused = await finished((await runOn(settings, foxes)).id);
    expect(refused).toMatchObject({
      status: "failed",
      error: 'model "tiny-gpt2" is failed: strategies start only from a ready model',
    });
  });
});
