// Fair scheduling with runner processes: a huge study of one team does not hold back another
// team's first trial by more than about one trial's length.
import { getStudy, listTrials, type Trial, updateStudyStatus } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
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
const SLOTS = 2;

function startedAt(trial: Trial): number {
  return trial.startedAt?.getTime() ?? Number.POSITIVE_INFINITY;
}

describe("fair scheduling between teams", () => {
  it("starts another team's one-trial study within a trial's length while a huge study holds every slot", async () => {
    runners.push(startRunner(test.url, "fair", ["--concurrency", String(SLOTS)]));
    const huge = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 100 },
      budget: { trials: 100, parallelTrials: 100, stepsPerTrial: 200 },
    });
    await until(
      async () =>
        (await listTrials(test.db, huge.id, ["running"])).length === SLOTS ? true : undefined,
      trainingBudgetMs,
      "the huge study training on every slot",
    );

    const one = await createRunningStudy(test.db, {
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 20 },
    });
    const asked = (await getStudy(test.db, one.id))?.startedAt?.getTime() ?? Date.now();
    const trial = await until(
      async () => (await listTrials(test.db, one.id)).find((t) => t.startedAt !== null),
      trainingBudgetMs,
      "the second team's trial to start",
    );
    const wait = startedAt(trial) - asked;
    const hugeTrials = await listTrials(test.db, huge.id);
    await updateStudyStatus(test.db, huge.id, "cancelled");

    // Only trials queued before it started ahead of it (first come, first served: dozens did).
    const startedMeanwhile = hugeTrials.filter(
      (t) => startedAt(t) > asked && startedAt(t) < startedAt(trial),
    );
    expect(startedMeanwhile.length).toBeLessThanOrEqual(SLOTS);
    const lengths = hugeTrials
      .filter((t) => t.startedAt && t.finishedAt)
      .map((t) => (t.finishedAt?.getTime() ?? 0) - startedAt(t));
    expect(wait).toBeLessThan(Math.max(0, ...lengths) + directiveBudgetMs);
    // The huge study queued only what the slots could take, not its hundred.
    expect(hugeTrials.filter((t) => t.state === "queued").length).toBeLessThanOrEqual(SLOTS);
  });
});
