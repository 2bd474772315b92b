// A cancelled trial stops even when its thread cannot hear the stop: here it is stuck building a
// model far too large for the machine (the finding that a cancel did not stop it, and that its
// runner's memory kept growing until the product was stopped).
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { getStudy, listRunners, listTrials, updateStudyStatus } from "@attune/db";
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

/** The process's resident memory in MiB, as Linux reports it. */
function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kib / 1024;
}

describe("a trial stuck in one long call", () => {
  it("ends within seconds of its study's cancel, frees its memory and its slot", async () => {
    // One slot: the next study's trial can start only once the stuck trial's thread is gone.
    // Limits far above the model, as a deployment that allows it would set them: this is about
    // stopping whatever a trial does, not about refusing it.
    const runner = startRunner(test.url, "solo", [], {
      ATTUNE_MAX_MODEL_PARAMETERS: String(1e12),
      ATTUNE_MAX_TRIAL_MEMORY_GIB: String(1e6),
    });
    runners.push(runner);
    const pid = runner.child.pid as number;
    await until(
      async () => ((await listRunners(test.db)).some((r) => r.alive) ? true : undefined),
      trainingBudgetMs,
      "the runner registered",
    );
    const idleMiB = residentMiB(pid);

    // 12 × 65,536² ≈ 52 billion weights: building it never finishes here.
    const huge = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, d_model: 65_536, heads: 1, layers: 1 },
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 10 },
    });
    await until(
      async () => ((await listTrials(test.db, huge.id, ["running"])).length ? true : undefined),
      trainingBudgetMs,
      "the huge trial to start",
    );
    await sleep(3_000);
    const buildingMiB = residentMiB(pid);
    await updateStudyStatus(test.db, huge.id, "cancelled");
    const cancelledAt = Date.now();
    await until(
      async () => ((await listTrials(test.db, huge.id, ["cancelled"])).length ? true : undefined),
      directiveBudgetMs,
      "the huge trial to be cancelled",
    );
    const stoppedAfterMs = Date.now() - cancelledAt;
    await sleep(2_000);
    const releasedMiB = residentMiB(pid);

    const next = await createRunningStudy(test.db, {
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 20 },
    });
    await until(
      async () => ((await getStudy(test.db, next.id))?.status === "completed" ? true : undefined),
      trainingBudgetMs,
      "the next study to complete on the freed slot",
    );
    console.log(
      `stuck trial: stopped ${stoppedAfterMs} ms after the cancel; runner memory ${idleMiB.toFixed(0)} MiB idle, ${buildingMiB.toFixed(0)} MiB while building, ${releasedMiB.toFixed(0)} MiB 2 s after the stop`,
    );
    expect(stoppedAfterMs).toBeLessThan(directiveBudgetMs);
    expect(releasedMiB).toBeLessThan(buildingMiB);
  });
});
