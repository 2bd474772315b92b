import { describe, expect, it } from "vitest";
import { createDataset } from "../src/queries/datasets.ts";
import { writeMetrics } from "../src/queries/metrics.ts";
import {
  listRunners,
  markRunnerOffline,
  registerRunner,
  runnerThroughput,
} from "../src/queries/runners.ts";
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

describe("runnerThroughput", () => {
  const DAY_MS = 86_400_000;
  let number = 0;

  /** A finished trial of the study on the runner, with its steps' tokens/s and its FLOPs per token. */
  async function measuredTrial(
    studyId: string,
    runnerId: string,
    tokensPerSecond: number[],
    flopsPerToken: number | undefined,
    finishedAt: Date | null = new Date(),
  ) {
    const trial = await createTrial(test.db, {
      studyId,
      number: number++,
      params: {},
      state: finishedAt ? "completed" : "running",
      runnerId,
      finishedAt,
    });
    await writeMetrics(test.db, [
      ...tokensPerSecond.map((value, index) => ({
        trialId: trial.id,
        key: "tokens_per_s",
        step: index + 1,
        value,
      })),
      ...(flopsPerToken === undefined
        ? []
        : [
            {
              trialId: trial.id,
              key: "flops_per_token",
              step: tokensPerSecond.length,
              value: flopsPerToken,
            },
          ]),
    ]);
  }

  it("measures live runners and the team's recent ones in FLOP/s, on their latest trials of any team", async () => {
    const ours = await seedStudy(test.db);
    const theirs = await seedStudy(test.db);
    const live = await runner(uniqueName("live"));
    const idle = await runner(uniqueName("idle"));
    const ourOld = await runner(uniqueName("our-old"));
    const stranger = await runner(uniqueName("stranger"));
    const forgotten = await runner(uniqueName("forgotten"));
    for (const gone of [ourOld, stranger, forgotten]) await markRunnerOffline(test.db, gone.id);

    // Another team's trials measure the live runner: each trial's median step (the slow first
    // step does not count) times its FLOPs per token, 2, 3 and 4 GFLOP/s: median 3.
    await measuredTrial(theirs.study.id, live.id, [100, 1000, 1000], 2e6);
    await measuredTrial(theirs.study.id, live.id, [500, 3000, 3000], 1e6);
    await measuredTrial(theirs.study.id, live.id, [4000, 4000, 4000], 1e6);
    // Not measured: a trial from before runners stored flops_per_token, and one still training.
    await measuredTrial(ours.study.id, live.id, [9e9], undefined);
    await measuredTrial(ours.study.id, live.id, [9e9], 1, null);
    // Down now, but it trained our trials two days ago.
    await measuredTrial(ours.study.id, ourOld.id, [500], 2e6, new Date(Date.now() - 2 * DAY_MS));
    // Down, and it trained only another team's trials, or ours too long ago.
    await measuredTrial(theirs.study.id, stranger.id, [500], 2e6);
    await measuredTrial(
      ours.study.id,
      forgotten.id,
      [500],
      2e6,
      new Date(Date.now() - 60 * DAY_MS),
    );

    const mine = new Set([live, idle, ourOld, stranger, forgotten].map((r) => r.id));
    const rows = (await runnerThroughput(test.db, ours.team.id)).filter((row) =>
      mine.has(row.runnerId),
    );
    expect(
      rows.map(({ name, alive, trainedForTeam, measuredTrials, flopsPerSecond }) => ({
        name,
        alive,
        trainedForTeam,
        measuredTrials,
        flopsPerSecond,
      })),
    ).toEqual([
      {
        name: idle.name,
        alive: true,
        trainedForTeam: false,
        measuredTrials: 0,
        flopsPerSecond: null,
      },
      {
        name: live.name,
        alive: true,
        trainedForTeam: true,
        measuredTrials: 3,
        flopsPerSecond: 3e9,
      },
      {
        name: ourOld.name,
        alive: false,
        trainedForTeam: true,
        measuredTrials: 1,
        flopsPerSecond: 1e9,
      },
    ]);
  });
});
