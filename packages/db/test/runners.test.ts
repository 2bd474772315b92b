import { describe, expect, it } from "vitest";
import { createDataset } from "../src/queries/datasets.ts";
import { listRunners, markRunnerOffline, registerRunner } from "../src/queries/runners.ts";
import { createTrial } from "../src/queries/trials.ts";
import { strategyRuns } from "../src/schema/index.ts";
import { seedStudy, uniqueName } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

function runner(name: string) {
  return registerRunner(test.db, {
    name,
    host: "localhost",
    pid: 1,
    backend: "native",
    device: "cpu",
    cores: 2,
    capacity: 2,
  });
}

describe("listRunners", () => {
  it("counts the trials and strategy runs each runner is working on now", async () => {
    const { project, study } = await seedStudy(test.db);
    const busy = await runner(uniqueName("busy"));
    const idle = await runner(uniqueName("idle"));
    let number = 0;
    const trial = (state: "running" | "completed" | "queued", runnerId: string | null) =>
      createTrial(test.db, { studyId: study.id, number: number++, params: {}, state, runnerId });
    await trial("running", busy.id);
    await trial("running", busy.id);
    // Neither finished trials nor ones waiting in the queue occupy a runner.
    await trial("completed", busy.id);
    await trial("completed", idle.id);
    await trial("queued", null);
    const dataset = await createDataset(test.db, {
      projectId: project.id,
      name: "text",
      source: "upload",
      origin: "text.txt",
      format: "text",
      tokenizer: "char",
      content: "hello",
    });
    await test.db.insert(strategyRuns).values([
      {
        projectId: project.id,
        datasetId: dataset.id,
        kind: "lr-range-test",
        settings: {},
        status: "running",
        runnerId: busy.id,
      },
      {
        projectId: project.id,
        datasetId: dataset.id,
        kind: "lr-range-test",
        settings: {},
        status: "completed",
        runnerId: idle.id,
      },
    ]);

    const byName = new Map((await listRunners(test.db)).map((row) => [row.name, row]));
    expect(byName.get(busy.name)).toMatchObject({
      capacity: 2,
      currentTrials: 2,
      currentStrategyRuns: 1,
      alive: true,
    });
    expect(byName.get(idle.name)).toMatchObject({ currentTrials: 0, currentStrategyRuns: 0 });
  });

  it("lists a stopped runner as not alive, newest heartbeat first", async () => {
    const stopped = await runner(uniqueName("stopped"));
    await markRunnerOffline(test.db, stopped.id);
    const latest = await runner(uniqueName("latest"));
    const rows = await listRunners(test.db);
    expect(rows[0]?.id).toBe(latest.id);
    expect(rows.find((row) => row.id === stopped.id)).toMatchObject({
      alive: false,
      status: "offline",
    });
  });
});
