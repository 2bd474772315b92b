import { defaultStudyLimits } from "@attune/core/spec";
import {
  appendStudyTrials,
  createStudy,
  createTrial,
  getStudy,
  heartbeatRunner,
  JobQueue,
  listTrials,
  registerRunner,
  updateStudyStatus,
  updateTrial,
  writeMetrics,
} from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { useTestDatabase } from "@attune/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fillStudy } from "../src/controller.ts";
import { decideTrial } from "../src/decisions.ts";

const test = useTestDatabase();
let queue: JobQueue;

let runnerId: string;

beforeAll(async () => {
  queue = await JobQueue.connect(test.url, "control-test");
  // Slots to spare: these tests are about a study's own parallelism, not its share of the runners.
  const runner = await registerRunner(test.db, {
    name: "many-slots",
    host: "test",
    pid: 1,
    backend: "wasm",
    device: "cpu",
    cores: 1,
    capacity: 1_000,
  });
  runnerId = runner.id;
});

beforeEach(async () => {
  await heartbeatRunner(test.db, runnerId);
});

afterAll(async () => {
  await queue.stop();
});

function spec(overrides: Record<string, unknown> = {}) {
  return {
    name: "lr search",
    task: "language-modelling",
    dataset: "tiny",
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    searchSpace: { lr: { type: "float", low: 1e-4, high: 1e-2, log: true } },
    sampler: { kind: "random" },
    budget: { trials: 5, parallelTrials: 2, stepsPerTrial: 10 },
    ...overrides,
  };
}

async function runningStudy(overrides: Record<string, unknown> = {}) {
  const { project } = await seedProject(test.db);
  const study = await createStudy(test.db, {
    projectId: project.id,
    name: `study-${Math.random()}`,
    spec: spec(overrides),
    seed: 7,
  });
  await updateStudyStatus(test.db, study.id, "running");
  return study;
}

async function queuedJobs(): Promise<string[]> {
  const result = await test.db.execute<{ trial_id: string }>(
    sql`select data->>'trialId' as trial_id from pgboss.job where name = 'trial'`,
  );
  return result.rows.map((row) => row.trial_id);
}

describe("study control", () => {
  it("queues up to the study's parallelism, each trial with a job, and nothing for a draft", async () => {
    const study = await runningStudy();
    const first = await fillStudy(test.db, queue, study.id);
    expect(first.created).toEqual([0, 1]);
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({
      created: [],
      completed: false,
    });
    const trials = await listTrials(test.db, study.id);
    expect(trials.map((trial) => trial.state)).toEqual(["queued", "queued"]);
    expect(await queuedJobs()).toEqual(expect.arrayContaining(trials.map((trial) => trial.id)));

    const { project } = await seedProject(test.db);
    const draft = await createStudy(test.db, {
      projectId: project.id,
      name: "draft",
      spec: spec(),
      seed: 1,
    });
    expect(await fillStudy(test.db, queue, draft.id)).toMatchObject({ created: [] });
  });

  it("hands out each trial number once when many runners decide at the same time", async () => {
    const study = await runningStudy({
      budget: { trials: 40, parallelTrials: 40, stepsPerTrial: 10 },
    });
    const rounds = await Promise.all(
      Array.from({ length: 8 }, () => fillStudy(test.db, queue, study.id)),
    );
    const created = rounds.flatMap((round) => round.created).sort((a, b) => a - b);
    expect(created).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const params = (await listTrials(test.db, study.id)).map((trial) => trial.params.lr);
    expect(new Set(params).size).toBe(40);
  });

  it("completes the study when the budget is spent, recording the best trial", async () => {
    const study = await runningStudy({
      budget: { trials: 3, parallelTrials: 3, stepsPerTrial: 10 },
    });
    await fillStudy(test.db, queue, study.id);
    const trials = await listTrials(test.db, study.id);
    const losses = [2.5, 1.5, 3.0];
    for (const [i, trial] of trials.entries()) {
      await updateTrial(test.db, trial.id, { state: "completed", values: [losses[i] as number] });
    }
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({
      created: [],
      completed: true,
    });
    const [row] = await test.db
      .execute<{ status: string; best_trial_id: string }>(
        sql`select status, best_trial_id from studies where id = ${study.id}`,
      )
      .then((result) => result.rows);
    expect(row).toEqual({ status: "completed", best_trial_id: trials[1]?.id });
  });

  it("records the best completed trial as results arrive, while the study runs", async () => {
    const study = await runningStudy({
      budget: { trials: 4, parallelTrials: 2, stepsPerTrial: 10 },
    });
    const bestId = async () =>
      (
        await test.db.execute<{ best_trial_id: string | null }>(
          sql`select best_trial_id from studies where id = ${study.id}`,
        )
      ).rows[0]?.best_trial_id;
    await fillStudy(test.db, queue, study.id);
    expect(await bestId()).toBeNull();
    const [first, second] = await listTrials(test.db, study.id);
    await updateTrial(test.db, first?.id as string, { state: "completed", values: [2.5] });
    // A pruned trial's last value does not count: it did not train its whole length.
    await updateTrial(test.db, second?.id as string, { state: "pruned", values: [1.0] });
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ completed: false });
    expect(await bestId()).toBe(first?.id);

    const third = (await listTrials(test.db, study.id))[2];
    await updateTrial(test.db, third?.id as string, { state: "completed", values: [1.5] });
    await fillStudy(test.db, queue, study.id);
    expect(await bestId()).toBe(third?.id);
  });

  it("trains appended trials after the study completed, continuing its numbering", async () => {
    const study = await runningStudy({
      budget: { trials: 2, parallelTrials: 2, stepsPerTrial: 10 },
    });
    await fillStudy(test.db, queue, study.id);
    for (const trial of await listTrials(test.db, study.id)) {
      await updateTrial(test.db, trial.id, { state: "completed", values: [1] });
    }
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ completed: true });
    expect(await appendStudyTrials(test.db, study.id, 2)).toMatchObject({
      status: "running",
      finishedAt: null,
    });
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({
      created: [2, 3],
      completed: false,
    });
  });

  it("puts trials paused with their study back on the queue when it resumes", async () => {
    const study = await runningStudy();
    await fillStudy(test.db, queue, study.id);
    const [paused] = await listTrials(test.db, study.id);
    await updateTrial(test.db, paused?.id as string, { state: "paused", pauseReason: "study" });
    await updateStudyStatus(test.db, study.id, "paused");
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ requeued: [] });
    await updateStudyStatus(test.db, study.id, "running");
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ requeued: [0], created: [] });
  });

  it("asks the study's pruner, and ASHA promotes a trial paused at a rung once it is in the top third", async () => {
    const study = await runningStudy({
      pruner: { kind: "asha", minResource: 10, maxResource: 90, reductionFactor: 3 },
      budget: { trials: 9, parallelTrials: 2, stepsPerTrial: 90 },
    });
    const trials = await Promise.all(
      [0, 1, 2].map((number) =>
        createTrial(test.db, { studyId: study.id, number, params: { lr: 0.001 * (number + 1) } }),
      ),
    );
    const [a, b, c] = trials as [(typeof trials)[0], (typeof trials)[0], (typeof trials)[0]];
    await writeMetrics(test.db, [
      { trialId: a.id, key: "val_loss", step: 10, value: 2.0 },
      { trialId: b.id, key: "val_loss", step: 10, value: 3.0 },
    ]);
    // a is alone at the rung: the best of fewer than η passes.
    expect(await decideTrial(test.db, study.id, 0)).toMatchObject({ action: "continue" });
    await writeMetrics(test.db, [{ trialId: c.id, key: "val_loss", step: 10, value: 1.0 }]);
    // b is worst of three at the rung: it waits there.
    expect(await decideTrial(test.db, study.id, 1)).toMatchObject({ action: "pause" });
    await updateTrial(test.db, b.id, { state: "paused", pauseReason: "rung" });
    await updateTrial(test.db, a.id, { state: "running" });
    await updateTrial(test.db, c.id, { state: "running" });
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ requeued: [], created: [] });
    // Six more trials end worse at the rung: b is now in the top third of nine, and resumes once
    // one of the two trials training ends (a promotion counts in the parallelism too).
    for (const number of [3, 4, 5, 6, 7, 8]) {
      const worse = await createTrial(test.db, {
        studyId: study.id,
        number,
        params: { lr: 0.0001 * number },
      });
      await writeMetrics(test.db, [
        { trialId: worse.id, key: "val_loss", step: 10, value: number },
      ]);
      await updateTrial(test.db, worse.id, { state: "pruned" });
    }
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ requeued: [] });
    await updateTrial(test.db, c.id, { state: "pruned" });
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ requeued: [1] });
    expect((await listTrials(test.db, study.id))[1]).toMatchObject({
      state: "queued",
      pauseReason: null,
    });
  });

  it("refuses a sampled trial whose model is beyond the limits before queueing it, saying its size", async () => {
    const study = await runningStudy({
      searchSpace: { layers: { type: "categorical", choices: [1, 1000] } },
      sampler: { kind: "grid" },
    });
    const round = await fillStudy(test.db, queue, study.id);
    const trials = await listTrials(test.db, study.id);
    const refused = trials.filter((trial) => trial.params.layers === 1000);
    expect(refused.length).toBeGreaterThan(0);
    for (const trial of refused) {
      expect(trial.state).toBe("failed");
      expect(trial.error).toMatch(
        /^refused before queueing: the model has 198,[\d,]+ parameters and training it takes about [\d.]+ GiB, above the limit of 8 GiB \(ATTUNE_MAX_TRIAL_MEMORY_GIB\)$/,
      );
    }
    expect(round.refused).toEqual(refused.map((trial) => trial.number));
    expect(await queuedJobs()).not.toEqual(expect.arrayContaining([refused[0]?.id]));
    const queued = trials.filter((trial) => trial.state === "queued");
    expect(queued.every((trial) => trial.params.layers === 1)).toBe(true);
    expect(round.created).toEqual(queued.map((trial) => trial.number));
  });

  it("queues only trials that meet the setting constraints: a grid skips the rest", async () => {
    const study = await runningStudy({
      fixed: { d_model: 64 },
      searchSpace: { heads: { type: "categorical", choices: [1, 2, 3, 4, 5, 6, 7, 8] } },
      constraints: ["d_model % heads == 0"],
      sampler: { kind: "grid" },
      budget: { trials: 8, parallelTrials: 8, stepsPerTrial: 10 },
    });
    const round = await fillStudy(test.db, queue, study.id);
    const trials = await listTrials(test.db, study.id);
    expect(round).toMatchObject({ refused: [] });
    expect(trials.map((trial) => trial.params.heads).sort()).toEqual([1, 2, 4, 8]);
    expect(trials.every((trial) => trial.state === "queued")).toBe(true);
  });

  it("refuses a trial no draw can make meet a setting constraint, naming it", async () => {
    const study = await runningStudy({
      fixed: { d_model: 64 },
      searchSpace: { heads: { type: "categorical", choices: [3, 5, 6] } },
      constraints: ["d_model % heads == 0", "heads <= 8"],
      sampler: { kind: "tpe" },
      budget: { trials: 2, parallelTrials: 2, stepsPerTrial: 10 },
    });
    const round = await fillStudy(test.db, queue, study.id);
    expect(round).toMatchObject({ created: [], refused: [0, 1] });
    for (const trial of await listTrials(test.db, study.id)) {
      expect(trial).toMatchObject({
        state: "failed",
        error:
          'refused before queueing: none of 16 draws of the tpe sampler and 48 of random search met the constraints: "d_model % heads == 0" (broken by 64)',
      });
    }
    expect(await queuedJobs()).not.toEqual(
      expect.arrayContaining((await listTrials(test.db, study.id)).map((trial) => trial.id)),
    );
  });

  it("takes the best trial among those that meet the measured constraints", async () => {
    const study = await runningStudy({
      constraints: ["param_count <= 1000", "tokens_per_s >= 100"],
      budget: { trials: 3, parallelTrials: 3, stepsPerTrial: 10 },
    });
    await fillStudy(test.db, queue, study.id);
    const trials = await listTrials(test.db, study.id);
    // Trial 0 has the lowest loss but is too large; trial 1 is too slow over its two steps
    // (harmonic mean 2 / (1/300 + 1/50) ≈ 86); trial 2 meets both.
    const measured = [
      { loss: 1.0, params: 5000, speeds: [200] },
      { loss: 1.5, params: 800, speeds: [300, 50] },
      { loss: 2.0, params: 900, speeds: [150, 150] },
    ];
    for (const [i, trial] of trials.entries()) {
      const { loss, params, speeds } = measured[i] as (typeof measured)[number];
      await writeMetrics(test.db, [
        ...speeds.map((value, step) => ({ trialId: trial.id, key: "tokens_per_s", step, value })),
        { trialId: trial.id, key: "param_count", step: 10, value: params },
      ]);
      await updateTrial(test.db, trial.id, { state: "completed", values: [loss] });
    }
    await fillStudy(test.db, queue, study.id);
    expect((await getStudy(test.db, study.id))?.bestTrialId).toBe(trials[2]?.id);
  });

  it("fails a running study beyond the limits at once, rather than retrying it every round", async () => {
    const study = await runningStudy({
      searchSpace: { batch_size: { type: "int", low: 1, high: 1_000_000 } },
      sampler: { kind: "grid" },
    });
    expect(await fillStudy(test.db, queue, study.id)).toMatchObject({ failed: true, created: [] });
    // The study says why, for its owner: the dashboard shows it.
    expect(await getStudy(test.db, study.id)).toMatchObject({
      status: "failed",
      error:
        "beyond this deployment's limits: sampler: the grid comes to 1,000,000 points, above the limit of 100,000 (ATTUNE_MAX_GRID_POINTS): use fewer values, fewer gridPoints or another sampler",
    });
    expect(await listTrials(test.db, study.id)).toEqual([]);
    // The same check follows the limits the runners are given.
    const small = await runningStudy({
      searchSpace: { batch_size: { type: "int", low: 1, high: 10 } },
      sampler: { kind: "grid" },
    });
    const tight = { ...defaultStudyLimits, gridPoints: 5 };
    expect(await fillStudy(test.db, queue, small.id, tight)).toMatchObject({ failed: true });
    const other = await runningStudy({
      searchSpace: { batch_size: { type: "int", low: 1, high: 10 } },
      sampler: { kind: "grid" },
    });
    expect(await fillStudy(test.db, queue, other.id)).toMatchObject({
      failed: false,
      created: [0, 1],
    });
  });
});
