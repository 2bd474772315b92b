// The controller queues each study only up to its fair share of the live runners' slots.
import {
  createStudy,
  JobQueue,
  listStudyIdsByStatus,
  listTrials,
  markRunnerOffline,
  registerRunner,
  setStudyPriority,
  setTeamMaxConcurrentTrials,
  updateStudyStatus,
  updateTrial,
} from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { useTestDatabase } from "@attune/db/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fillStudy } from "../src/controller.ts";

const test = useTestDatabase();
let queue: JobQueue;
let runnerId: string;

beforeAll(async () => {
  queue = await JobQueue.connect(test.url, "slots-test");
});

afterAll(async () => {
  await queue.stop();
});

// Four slots on one live runner; each test starts with no running study.
beforeEach(async () => {
  const runner = await registerRunner(test.db, {
    name: "four-slots",
    host: "test",
    pid: 1,
    backend: "wasm",
    device: "cpu",
    cores: 4,
    capacity: 4,
  });
  runnerId = runner.id;
});

afterEach(async () => {
  await markRunnerOffline(test.db, runnerId);
  for (const id of await listStudyIdsByStatus(test.db, "running")) {
    await updateStudyStatus(test.db, id, "cancelled");
  }
});

async function runningStudy(projectId: string, trials: number, parallelTrials = trials) {
  const study = await createStudy(test.db, {
    projectId,
    name: `study-${Math.random()}`,
    seed: 3,
    spec: {
      name: "study",
      task: "language-modelling",
      dataset: "tiny",
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      searchSpace: { lr: { type: "float", low: 1e-4, high: 1e-2, log: true } },
      sampler: { kind: "random" },
      budget: { trials, parallelTrials, stepsPerTrial: 10 },
    },
  });
  await updateStudyStatus(test.db, study.id, "running");
  return study;
}

describe("fair share of runner slots", () => {
  it("queues a huge study only up to the slots, and gives another team's study the next one", async () => {
    const first = await seedProject(test.db);
    const huge = await runningStudy(first.project.id, 200);
    expect((await fillStudy(test.db, queue, huge.id)).created).toEqual([0, 1, 2, 3]);
    for (const trial of await listTrials(test.db, huge.id)) {
      await updateTrial(test.db, trial.id, { state: "running" });
    }

    const second = await seedProject(test.db);
    const one = await runningStudy(second.project.id, 1);
    expect((await fillStudy(test.db, queue, one.id)).created).toEqual([0]);
    // The huge study's first trial to end leaves its slot to the other team's queued trial.
    const [ended] = await listTrials(test.db, huge.id);
    await updateTrial(test.db, ended?.id as string, { state: "completed", values: [1] });
    expect((await fillStudy(test.db, queue, huge.id)).created).toEqual([]);
    // Once the other team's study is done, the huge study has every slot again.
    await updateStudyStatus(test.db, one.id, "completed");
    expect((await fillStudy(test.db, queue, huge.id)).created).toEqual([4]);
  });

  it("holds a team to its quota on concurrent trials", async () => {
    const { project, team } = await seedProject(test.db);
    await setTeamMaxConcurrentTrials(test.db, team.slug, 2);
    const study = await runningStudy(project.id, 10);
    expect((await fillStudy(test.db, queue, study.id)).created).toEqual([0, 1]);
    await setTeamMaxConcurrentTrials(test.db, team.slug, null);
    expect((await fillStudy(test.db, queue, study.id)).created).toEqual([2, 3]);
  });

  it("serves a team's higher-priority study first", async () => {
    const { project } = await seedProject(test.db);
    const low = await runningStudy(project.id, 10);
    const high = await runningStudy(project.id, 3);
    await setStudyPriority(test.db, high.id, 1);
    expect((await fillStudy(test.db, queue, low.id)).created).toEqual([0]);
    expect((await fillStudy(test.db, queue, high.id)).created).toEqual([0, 1, 2]);
  });

  it("keeps a study whose slots went to a higher priority waiting, with its paused trials, instead of completing it", async () => {
    const { project } = await seedProject(test.db);
    const waiting = await runningStudy(project.id, 2);
    await fillStudy(test.db, queue, waiting.id);
    for (const trial of await listTrials(test.db, waiting.id)) {
      await updateTrial(test.db, trial.id, { state: "paused", pauseReason: "study" });
    }
    const urgent = await runningStudy(project.id, 4);
    await setStudyPriority(test.db, urgent.id, 1);
    expect((await fillStudy(test.db, queue, urgent.id)).created).toEqual([0, 1, 2, 3]);
    expect(await fillStudy(test.db, queue, waiting.id)).toMatchObject({
      created: [],
      requeued: [],
      completed: false,
      failed: false,
    });
    await updateStudyStatus(test.db, urgent.id, "completed");
    expect((await fillStudy(test.db, queue, waiting.id)).requeued).toEqual([0, 1]);
  });
});
