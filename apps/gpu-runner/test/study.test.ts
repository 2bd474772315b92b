// A whole study trained by several runner processes, through the queue, against a real PostgreSQL.
import { getStudy, listRunners, listTrials, readMetrics } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import {
  createRunningStudy,
  startRunner,
  trainingBudgetMs,
  until,
  useRunnerProcesses,
} from "./cluster.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

/** The most trials that were running at once, from their start and finish times. */
function maxOverlap(intervals: { start: number; end: number }[]): number {
  const events = intervals.flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const event of events) {
    running += event.delta;
    most = Math.max(most, running);
  }
  return most;
}

describe("a study on three runners", () => {
  it("trains every trial exactly once, within the parallelism, with distinct parameters", async () => {
    const study = await createRunningStudy(test.db, {
      budget: { trials: 12, parallelTrials: 3, stepsPerTrial: 20 },
    });
    for (const name of ["r1", "r2", "r3"]) runners.push(startRunner(test.url, name));

    await until(
      async () => ((await getStudy(test.db, study.id))?.status === "completed" ? true : undefined),
      trainingBudgetMs,
      "study completed",
    );
    const trials = await listTrials(test.db, study.id);
    expect(trials.map((trial) => trial.number)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(trials.map((trial) => [trial.state, trial.attempts, trial.error])).toEqual(
      trials.map(() => ["completed", 1, null]),
    );
    expect(new Set(trials.map((trial) => trial.params.lr)).size).toBe(12);
    const intervals = trials.map((trial) => ({
      start: trial.startedAt?.getTime() ?? 0,
      end: trial.finishedAt?.getTime() ?? 0,
    }));
    expect(maxOverlap(intervals)).toBeLessThanOrEqual(3);
    for (const trial of trials) {
      const steps = (await readMetrics(test.db, trial.id, "train_loss")).map((point) => point.step);
      expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const model = await readMetrics(test.db, trial.id, "flops_per_token");
      expect(model.map((point) => [point.step, point.value > 0])).toEqual([[20, true]]);
      expect(trial.values?.[0]).toBeGreaterThan(0);
    }
    const best = (await getStudy(test.db, study.id))?.bestTrialId;
    const bestValue = Math.min(
      ...trials.map((trial) => trial.values?.[0] ?? Number.POSITIVE_INFINITY),
    );
    expect(trials.find((trial) => trial.id === best)?.values?.[0]).toBe(bestValue);
    const seen = await listRunners(test.db);
    expect(new Set(trials.map((trial) => trial.runnerId)).size).toBeGreaterThan(1);
    expect(seen.filter((runner) => runner.alive)).toHaveLength(3);
  });

  it("resumes a trial from its checkpoint on another runner after its runner is killed", async () => {
    const study = await createRunningStudy(test.db, {
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 240 },
      fixed: { layers: 1, d_model: 16, heads: 2, seq_len: 16, batch_size: 4, eval_every: 40 },
    });
    const [trial] = await until(
      async () => {
        const trials = await listTrials(test.db, study.id);
        const running = trials.find((t) => t.state === "running");
        if (!running) return undefined;
        const points = await readMetrics(test.db, running.id, "train_loss");
        return points.length >= 60 ? trials : undefined;
      },
      trainingBudgetMs,
      "trial past its first checkpoint",
    );
    const owner = (await listRunners(test.db)).find((runner) => runner.id === trial?.runnerId);
    const victim = runners.find((runner) => runner.child.pid === owner?.pid);
    expect(victim).toBeDefined();
    victim?.child.kill("SIGKILL");

    await until(
      async () => ((await getStudy(test.db, study.id))?.status === "completed" ? true : undefined),
      trainingBudgetMs,
      "study completed after the kill",
    );
    const [done] = await listTrials(test.db, study.id);
    expect(done).toMatchObject({ state: "completed", attempts: 2 });
    expect(done?.runnerId).not.toBe(owner?.id);
    const steps = (await readMetrics(test.db, done?.id as string, "train_loss")).map(
      (point) => point.step,
    );
    expect(steps).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    // Each attempt reports the validation text's letter frequencies at step 0: about those of one
    // pangram (45 letters, 9 of them spaces), whose entropy is 3.0475 nats.
    expect(await readMetrics(test.db, done?.id as string, "baseline_val_loss")).toEqual([
      expect.objectContaining({ step: 0, value: expect.closeTo(3.0475, 1) }),
    ]);
  });
});
