// Cancel, pause and resume, pruning, divergence and shutdown, with runner processes and PostgreSQL.
import {
  getStudy,
  listTrials,
  readMetrics,
  type Trial,
  updateStudyStatus,
  updateTrial,
} from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createRunningStudy,
  directiveBudgetMs,
  startRunner,
  tinyModel,
  trainingBudgetMs,
  until,
  useRunnerProcesses,
} from "./cluster.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

beforeAll(() => {
  for (const name of ["c1", "c2"]) runners.push(startRunner(test.url, name));
});

async function studyStatus(id: string) {
  return (await getStudy(test.db, id))?.status;
}

async function trialOnceTrained(studyId: string, steps: number): Promise<Trial> {
  return until(
    async () => {
      const [trial] = await listTrials(test.db, studyId, ["running"]);
      if (!trial) return undefined;
      return (await readMetrics(test.db, trial.id, "train_loss")).length >= steps
        ? trial
        : undefined;
    },
    trainingBudgetMs,
    `a trial past step ${steps}`,
  );
}

function stepsOf(points: { step: number }[]): number[] {
  return points.map((point) => point.step);
}

describe("study and trial control", () => {
  it("cancels one trial within seconds while the study goes on", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 500 },
      budget: { trials: 2, parallelTrials: 2, stepsPerTrial: 200_000 },
    });
    const trial = await trialOnceTrained(study.id, 20);
    const cancelledAt = Date.now();
    await updateTrial(test.db, trial.id, { state: "cancelled" });
    await until(
      async () => {
        const points = await readMetrics(test.db, trial.id, "train_loss");
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return (await readMetrics(test.db, trial.id, "train_loss")).length === points.length
          ? true
          : undefined;
      },
      directiveBudgetMs,
      "the cancelled trial to stop training",
    );
    expect(Date.now() - cancelledAt).toBeLessThan(directiveBudgetMs);
    expect((await listTrials(test.db, study.id)).find((t) => t.id === trial.id)?.state).toBe(
      "cancelled",
    );
    await updateStudyStatus(test.db, study.id, "cancelled");
    await until(
      async () =>
        (await listTrials(test.db, study.id, ["running", "queued"])).length === 0
          ? true
          : undefined,
      directiveBudgetMs,
      "the study's trials to stop",
    );
    expect((await listTrials(test.db, study.id)).map((t) => t.state)).toEqual([
      "cancelled",
      "cancelled",
    ]);
  });

  it("pauses a study within seconds and resumes its trial from the checkpoint", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 500 },
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 4_000 },
    });
    const trial = await trialOnceTrained(study.id, 50);
    await updateStudyStatus(test.db, study.id, "paused");
    const paused = await until(
      async () => {
        const [row] = await listTrials(test.db, study.id, ["paused"]);
        return row;
      },
      directiveBudgetMs,
      "the trial paused",
    );
    expect(paused).toMatchObject({ id: trial.id, pauseReason: "study" });
    await updateStudyStatus(test.db, study.id, "running");
    await until(
      async () => ((await studyStatus(study.id)) === "completed" ? true : undefined),
      trainingBudgetMs,
      "study completed",
    );
    const [done] = await listTrials(test.db, study.id);
    expect(done).toMatchObject({ state: "completed", attempts: 1 });
    expect(stepsOf(await readMetrics(test.db, trial.id, "train_loss"))).toEqual(
      Array.from({ length: 4_000 }, (_, i) => i + 1),
    );
  });

  it("prunes with the median pruner and fails a diverging trial while the study goes on", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 5 },
      searchSpace: { lr: { type: "categorical", choices: [0.02, 0.000001, 1000] } },
      sampler: { kind: "grid" },
      pruner: { kind: "median", startupTrials: 1, warmupSteps: 5 },
      budget: { trials: 3, parallelTrials: 1, stepsPerTrial: 40 },
    });
    await until(
      async () => ((await studyStatus(study.id)) === "completed" ? true : undefined),
      trainingBudgetMs,
      "study completed",
    );
    const trials = await listTrials(test.db, study.id);
    const byLr = new Map(trials.map((trial) => [trial.params.lr, trial]));
    expect(byLr.get(1000)).toMatchObject({ state: "failed" });
    expect(byLr.get(1000)?.error).toMatch(/diverged/);
    const slow = byLr.get(0.000001);
    const good = byLr.get(0.02);
    // Whichever of the two finished first sets the bar the other is judged by.
    if ((good?.number ?? 0) < (slow?.number ?? 0)) {
      expect(slow).toMatchObject({ state: "pruned" });
      expect(slow?.lastStep).toBeLessThan(40);
    } else {
      expect(good).toMatchObject({ state: "completed" });
    }
    expect((await getStudy(test.db, study.id))?.bestTrialId).toBe(
      good?.state === "completed" ? good.id : slow?.id,
    );
  });

  it("fails a trial whose settings cannot be built, naming the problem", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, d_model: 15, heads: 2 },
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 10 },
    });
    await until(
      async () => ((await studyStatus(study.id)) === "completed" ? true : undefined),
      trainingBudgetMs,
      "study completed",
    );
    const [trial] = await listTrials(test.db, study.id);
    expect(trial).toMatchObject({ state: "failed", attempts: 1 });
    expect(trial?.error).toMatch(/d_model 15 is not divisible by heads 2/);
  });

  it("pauses trials at ASHA rungs and continues a promoted one from its checkpoint", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 10 },
      searchSpace: {
        lr: { type: "categorical", choices: [0.03, 0.01, 0.003, 0.0001, 0.00001, 0.000001] },
      },
      sampler: { kind: "grid" },
      pruner: { kind: "asha", minResource: 10, maxResource: 30, reductionFactor: 3, mode: "pause" },
      budget: { trials: 6, parallelTrials: 1, stepsPerTrial: 30 },
    });
    await until(
      async () => ((await studyStatus(study.id)) === "completed" ? true : undefined),
      trainingBudgetMs,
      "study completed",
    );
    const trials = await listTrials(test.db, study.id);
    // Every trial either finished or lost at a rung; none was left waiting.
    expect(trials.every((trial) => ["completed", "pruned"].includes(trial.state))).toBe(true);
    const series = await Promise.all(
      trials.map(async (trial) => ({
        trial,
        points: await readMetrics(test.db, trial.id, "train_loss"),
      })),
    );
    const firstStepAt = series.map(({ points }) => points[0]?.recordedAt.getTime() ?? 0);
    // A promoted trial: other trials started training between its rung (step 10) and its step 11,
    // and its first ten steps were not trained again (they keep their early timestamps).
    const promoted = series.filter(({ trial, points }) => {
      const atRung = points[9]?.recordedAt.getTime() ?? 0;
      const after = points[10]?.recordedAt.getTime() ?? 0;
      return trial.state === "completed" && firstStepAt.some((at) => at > atRung && at < after);
    });
    expect(promoted.length).toBeGreaterThanOrEqual(1);
    for (const { trial, points } of promoted) {
      expect(trial.attempts).toBe(1);
      expect(stepsOf(points)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
  });
});
