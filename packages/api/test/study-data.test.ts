// What the trial, analysis and strategy procedures answer, beyond who may call them.
import { createNextTrial, createStudy, updateTrial, writeMetrics } from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople, studySpecText, type World } from "./world.ts";

const api = useApi();
let people: People;
let world: World;

beforeAll(async () => {
  people = await signUpPeople(api);
  world = await seedWorld(api.db, people);
});

describe("trials", () => {
  it("pages through a study's trials, best value first, unfinished last", async () => {
    const viewer = api.as(people.viewer);
    const first = await viewer.trials.list({
      studyId: world.paretoStudy.id,
      sortBy: "value",
      limit: 1,
    });
    expect(first).toMatchObject({ total: 2, nextOffset: 1 });
    expect(first.trials[0]?.values).toEqual([1.25, 600]);
    const second = await viewer.trials.list({
      studyId: world.paretoStudy.id,
      sortBy: "value",
      limit: 1,
      offset: 1,
    });
    expect(second.nextOffset).toBeNull();
    expect(second.trials[0]?.values).toEqual([1.5, 900]);

    const running = await viewer.trials.list({ studyId: world.runningStudy.id, sortBy: "value" });
    expect(running.trials.map((trial) => trial.state)).toEqual(["completed", "queued"]);
  });

  it("thins each curve to the points asked for, and leaves out other studies' trials", async () => {
    const steps = Array.from({ length: 1000 }, (_, step) => step);
    await writeMetrics(api.db, [
      ...steps.map((step) => ({
        trialId: world.bestTrial.id,
        key: "val_loss",
        step,
        value: step === 500 ? 99 : 3 - step / 1000,
      })),
      ...steps.map((step) => ({ trialId: world.bestTrial.id, key: "lr", step, value: 0.001 })),
    ]);
    const curves = await api.as(people.viewer).trials.curves({
      studyId: world.runningStudy.id,
      keys: ["val_loss"],
      maxPoints: 50,
    });
    expect(curves).toHaveLength(1);
    const [curve] = curves;
    expect(curve).toMatchObject({ trialId: world.bestTrial.id, key: "val_loss" });
    expect(curve?.points.length).toBeLessThanOrEqual(50);
    expect(curve?.points).toContainEqual({ step: 500, value: 99 });

    const elsewhere = await api.as(people.viewer).trials.curves({
      studyId: world.paretoStudy.id,
      keys: ["val_loss"],
      trialIds: [world.bestTrial.id],
    });
    expect(elsewhere).toEqual([]);
  });
});

/**
 * A study of the world's project with measured constraints and two objectives, and its trials by
 * their measured values: each completed, with its loss, speed and parameters.
 */
async function constrainedStudy(
  trials: { values: number[]; paramCount: number; tokensPerS: number }[],
) {
  const study = await createStudy(api.db, {
    projectId: world.project.id,
    name: `constrained-${Math.random()}`,
    spec: {
      ...JSON.parse(studySpecText("constrained", world.dataset.name)),
      objectives: [
        { metric: "val_loss", direction: "minimize" },
        { metric: "tokens_per_s", direction: "maximize" },
      ],
      constraints: ["param_count <= 1000", "tokens_per_s >= 100", "lr <= 1"],
    },
    seed: 7,
  });
  const rows = [];
  for (const [lr, measured] of trials.entries()) {
    const trial = await createNextTrial(api.db, { studyId: study.id, params: { lr: lr / 100 } });
    await writeMetrics(api.db, [
      { trialId: trial.id, key: "tokens_per_s", step: 1, value: measured.tokensPerS },
      { trialId: trial.id, key: "param_count", step: 1, value: measured.paramCount },
    ]);
    rows.push(await updateTrial(api.db, trial.id, { state: "completed", values: measured.values }));
  }
  return { study, trials: rows };
}

describe("constraints", () => {
  it("mark each listed trial feasible or not, with each constraint broken and by how much", async () => {
    const { study } = await constrainedStudy([
      { values: [1, 500], paramCount: 5000, tokensPerS: 50 },
      { values: [2, 200], paramCount: 900, tokensPerS: 200 },
    ]);
    const queued = await createNextTrial(api.db, { studyId: study.id, params: { lr: 0.5 } });
    const page = await api.as(people.viewer).trials.list({ studyId: study.id });
    expect(page.trials.map((trial) => [trial.id === queued.id, trial.feasibility])).toEqual([
      [
        false,
        {
          feasible: false,
          violations: [
            { constraint: "param_count <= 1000", by: 4000 },
            { constraint: "tokens_per_s >= 100", by: 50 },
          ],
        },
      ],
      [false, { feasible: true, violations: [] }],
      [true, null],
    ]);
    // A study without constraints has nothing to judge.
    const plain = await api.as(people.viewer).trials.list({ studyId: world.runningStudy.id });
    expect(plain.trials.map((trial) => trial.feasibility)).toEqual([null, null]);
  });

  it("leave the trials that broke one off the Pareto front while others met them", async () => {
    const { trials } = await constrainedStudy([
      { values: [1, 500], paramCount: 5000, tokensPerS: 500 }, // best on both, too large
      { values: [2, 200], paramCount: 900, tokensPerS: 200 },
      { values: [3, 300], paramCount: 900, tokensPerS: 300 },
    ]);
    const front = await api
      .as(people.viewer)
      .analysis.paretoFront({ studyId: trials[0]?.studyId as string });
    expect(front.trials.map((trial) => trial.number).sort()).toEqual([1, 2]);
  });
});

describe("analysis", () => {
  it("finds both trials of a trade-off on the Pareto front", async () => {
    const front = await api
      .as(people.viewer)
      .analysis.paretoFront({ studyId: world.paretoStudy.id });
    expect(front.directions).toEqual(["minimize", "maximize"]);
    expect(front.trials.map((trial) => trial.number).sort()).toEqual([0, 1]);
  });

  it("refuses a Pareto front of a single-objective study", async () => {
    await expect(
      api.as(people.viewer).analysis.paretoFront({ studyId: world.runningStudy.id }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("gives importances that sum to 1, and refuses too few trials", async () => {
    const importance = await api.as(people.viewer).analysis.importance({
      studyId: world.paretoStudy.id,
    });
    expect(Object.keys(importance)).toEqual(["lr"]);
    expect(importance.lr).toBeCloseTo(1);
    await expect(
      api.as(people.viewer).analysis.importance({ studyId: world.runningStudy.id }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});

describe("strategies", () => {
  it("queues an LR range test with defaults filled in, and lists it", async () => {
    const run = await api.as(people.member).strategies.create({
      datasetId: world.dataset.id,
      kind: "lr-range-test",
    });
    expect(run).toMatchObject({ status: "queued", projectId: world.project.id });
    expect(run.settings).toMatchObject({ options: { minLr: 1e-6, maxLr: 1, steps: 100 } });
    const runs = await api.as(people.viewer).strategies.list({ projectId: world.project.id });
    expect(runs.map((listed) => listed.id)).toContain(run.id);
  });

  it("refuses trial settings the runner would refuse, naming the setting", async () => {
    await expect(
      api.as(people.member).strategies.create({
        datasetId: world.dataset.id,
        kind: "lr-range-test",
        trial: { no_such_setting: 3 },
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("no_such_setting"),
    });
  });

  it("answers a run of another project as missing", async () => {
    const other = await seedWorld(api.db, people);
    await expect(
      api.as(people.viewer).strategies.get({
        projectId: other.project.id,
        strategyRunId: world.strategyRun.id,
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
