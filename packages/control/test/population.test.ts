// Population-based studies against a real database: members wait at their rounds, a PBT round
// copies the top member's checkpoints into the bottom one and explores its parameters, a member
// that ran past a round still takes part, and a replay switches parameters at its steps. The
// runners are played by hand here (metrics, checkpoints, pauses); apps/gpu-runner/test/pbt.test.ts
// trains a population with real ones.
import {
  createStudy,
  getCheckpoint,
  listStudyLineage,
  listTrials,
  saveCheckpoint,
  type Trial,
  updateStudyStatus,
  updateTrial,
  writeMetrics,
} from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { describe, expect, it } from "vitest";
import { fillStudy } from "../src/controller.ts";
import { decideTrial } from "../src/decisions.ts";
import { useStudyControl } from "./study-control.ts";

const control = useStudyControl("population-test");
const { test } = control;

const lrSpace = { lr: { type: "float", low: 1e-4, high: 1e-1, log: true } };

async function runningStudy(sampler: Record<string, unknown>, trials: number) {
  const { project } = await seedProject(test.db);
  const study = await createStudy(test.db, {
    projectId: project.id,
    name: `population-${Math.random()}`,
    seed: 3,
    spec: {
      name: "population",
      task: "language-modelling",
      dataset: "tiny",
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      fixed: { eval_every: 10 },
      searchSpace: lrSpace,
      sampler,
      budget: { trials, parallelTrials: 4, stepsPerTrial: 30 },
    },
  });
  await updateStudyStatus(test.db, study.id, "running");
  return study;
}

/** What a runner does when a trial evaluates at `step`: the loss, then its checkpoints. */
async function evaluated(trial: Trial, step: number, loss: number) {
  await writeMetrics(test.db, [{ trialId: trial.id, key: "val_loss", step, value: loss }]);
  for (const kind of ["last", "best"] as const) {
    const data = Buffer.from(`${kind} of trial ${trial.number} at ${step}`);
    await saveCheckpoint(test.db, { trialId: trial.id, kind, step, data, sizeBytes: data.length });
  }
  await updateTrial(test.db, trial.id, { state: "running", lastStep: step });
}

/** What a runner does when the study says "pause": the trial waits at its round. */
async function paused(trial: Trial) {
  await updateTrial(test.db, trial.id, { state: "paused", pauseReason: "rung" });
}

async function checkpointText(trialId: string, kind: "last" | "best") {
  const checkpoint = await getCheckpoint(test.db, trialId, kind);
  return [checkpoint?.step, checkpoint?.data?.toString()];
}

describe("a PBT study", () => {
  const pbt = {
    kind: "pbt",
    population: 4,
    perturbationInterval: 10,
    resampleProbability: 0,
    mutations: ["lr"],
  };

  it("waits for every member at a round, then the bottom one copies the top one's checkpoints and explores", async () => {
    const study = await runningStudy(pbt, 4);
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({
      created: [0, 1, 2, 3],
    });
    const trials = await listTrials(test.db, study.id);
    const [a, b, c, d] = trials as [Trial, Trial, Trial, Trial];
    // Each member's lineage starts with its random parameters at step 0.
    expect(
      (await listStudyLineage(test.db, study.id)).map((row) => [
        row.trialNumber,
        row.step,
        row.params,
      ]),
    ).toEqual(trials.map((trial) => [trial.number, 0, trial.params]));

    // Losses at step 10: b is the top quantile (1 of 4), d the bottom.
    for (const [trial, loss] of [
      [a, 3],
      [b, 1],
      [c, 2],
      [d, 4],
    ] as const) {
      await evaluated(trial, 10, loss);
    }
    expect(await decideTrial(test.db, study.id, 0)).toEqual({
      action: "pause",
      reason: "waiting at step 10 for the round at step 10",
    });
    for (const trial of [a, b, c]) await paused(trial);
    // d has reported but not yet stopped: the round waits for it.
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({ requeued: [] });
    expect((await listStudyLineage(test.db, study.id)).filter((row) => row.step === 10)).toEqual(
      [],
    );

    await paused(d);
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({
      requeued: [0, 1, 2, 3],
    });
    const round = (await listStudyLineage(test.db, study.id)).filter((row) => row.step === 10);
    expect(
      round.map((row) => [row.trialNumber, row.value, row.copiedFromTrialNumber, row.copiedStep]),
    ).toEqual([
      [0, 3, null, null],
      [1, 1, null, null],
      [2, 2, null, null],
      [3, 4, 1, 10],
    ]);
    // d now holds b's weights and optimizer state (its last checkpoint) and b's best so far, and
    // trains on with b's rate × 0.8 or × 1.2.
    expect(await checkpointText(d.id, "last")).toEqual([10, "last of trial 1 at 10"]);
    expect(await checkpointText(d.id, "best")).toEqual([10, "best of trial 1 at 10"]);
    const after = await listTrials(test.db, study.id);
    const ratio = (after[3]?.params.lr as number) / (b.params.lr as number);
    expect([0.8, 1.2]).toContain(Number(ratio.toPrecision(12)));
    expect(round[3]?.params).toEqual(after[3]?.params);
    expect(after.slice(0, 3).map((trial) => trial.params)).toEqual([a, b, c].map((t) => t.params));
    expect(after.map((trial) => [trial.state, trial.pauseReason, trial.lastStep])).toEqual(
      after.map(() => ["queued", null, 10]),
    );

    // Past the round, a member goes on until the next one, at step 20; none falls at the last step.
    expect(await decideTrial(test.db, study.id, 3)).toEqual({ action: "continue" });
    for (const [trial, loss] of [
      [a, 2.5],
      [b, 0.5],
      [c, 3.5],
      [d, 0.8],
    ] as const) {
      await evaluated(trial, 20, loss);
      expect(await decideTrial(test.db, study.id, trial.number)).toMatchObject({ action: "pause" });
      await paused(trial);
    }
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({
      requeued: [0, 1, 2, 3],
    });
    const second = (await listStudyLineage(test.db, study.id)).filter((row) => row.step === 20);
    expect(second.map((row) => [row.trialNumber, row.copiedFromTrialNumber])).toEqual([
      [0, null],
      [1, null],
      [2, 1],
      [3, null],
    ]);
    await evaluated(c, 30, 0.4);
    expect(await decideTrial(test.db, study.id, 2)).toEqual({ action: "continue" });
  });

  it("lets a member that ran past its round (its runner lost before it stopped) take part", async () => {
    const study = await runningStudy({ ...pbt, population: 2 }, 2);
    await fillStudy(test.db, control.queue, study.id);
    const [a, b] = (await listTrials(test.db, study.id)) as [Trial, Trial];
    await evaluated(a, 10, 2);
    await paused(a);
    // b reported at 10 and resumed from a checkpoint at 10 elsewhere: it stops at its next report.
    await evaluated(b, 10, 1);
    await evaluated(b, 20, 0.9);
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({ requeued: [] });
    expect(await decideTrial(test.db, study.id, 1)).toMatchObject({ action: "pause" });
    await paused(b);
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({ requeued: [0, 1] });
    // Ranked on its value at the round's step; a copies b's checkpoint, which is at step 20.
    const round = (await listStudyLineage(test.db, study.id)).filter((row) => row.step === 10);
    expect(
      round.map((row) => [row.trialNumber, row.value, row.copiedFromTrialNumber, row.copiedStep]),
    ).toEqual([
      [0, 2, 1, 20],
      [1, 1, null, null],
    ]);
    expect((await listTrials(test.db, study.id))[0]?.lastStep).toBe(20);
  });
});

describe("a PBT replay study", () => {
  it("switches its trial to the schedule's parameters at each step", async () => {
    const study = await runningStudy(
      {
        kind: "pbt-replay",
        schedule: [
          { step: 0, params: { lr: 0.01 } },
          { step: 20, params: { lr: 0.005 } },
        ],
      },
      1,
    );
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({ created: [0] });
    const [trial] = (await listTrials(test.db, study.id)) as [Trial];
    expect(trial.params).toEqual({ lr: 0.01 });
    await evaluated(trial, 10, 2);
    expect(await decideTrial(test.db, study.id, 0)).toEqual({ action: "continue" });
    await evaluated(trial, 20, 1.5);
    expect(await decideTrial(test.db, study.id, 0)).toMatchObject({ action: "pause" });
    await paused(trial);
    expect(await fillStudy(test.db, control.queue, study.id)).toMatchObject({ requeued: [0] });
    expect((await listTrials(test.db, study.id))[0]?.params).toEqual({ lr: 0.005 });
    expect(
      (await listStudyLineage(test.db, study.id)).map((row) => [row.step, row.params, row.value]),
    ).toEqual([
      [0, { lr: 0.01 }, null],
      [20, { lr: 0.005 }, 1.5],
    ]);
    await evaluated(trial, 30, 1.2);
    expect(await decideTrial(test.db, study.id, 0)).toEqual({ action: "continue" });
  });
});
