// npm run bench:fairness: how long a team's first trial waits while another team's huge study
// (200 trials, 200 in parallel) holds the runners' four slots, against a real PostgreSQL
// (DATABASE_URL, or the embedded one) in a scratch database. Two rounds on the same runners:
// - fair share: the controller queues each study up to its share of the slots (this code);
// - first come, first served, for comparison: the huge study's 200 trials queued at once, as the
//   controller did before fair shares. That wait is cut short after a few trial lengths.
// Then the web app's /api/health latency while 31 MiB datasets are uploaded (bench/uploads.ts).

import { percentile } from "@attune/core/data";
import {
  createTrial,
  getStudy,
  JobQueue,
  listTrials,
  reserveTrialNumber,
  type Study,
  type Trial,
  updateStudyStatus,
} from "@attune/db";
import { ensureDatabase } from "@attune/db/embedded";
import { embeddedDataFolder } from "@attune/db/paths";
import { createScratchDatabase } from "@attune/db/scratch";
import { log } from "@attune/runtime/log";
import { createRunningStudy, startRunner, tinyModel, until } from "../test/cluster.ts";
import { healthDuringUploads } from "./uploads.ts";

const SLOTS = 4;
const HUGE_TRIALS = 200;
const STEPS = 300;
const fixed = { ...tinyModel, eval_every: STEPS };
/** Both rounds wait this long at most for figures that depend only on training. */
const TRAINING_LIMIT_MS = 15 * 60_000;
/** The first-come-first-served round gives up on the second team after this many trial lengths. */
const FIFO_PATIENCE_TRIALS = 4;
const UPLOADS = 4;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const lengthOf = (trial: Trial) =>
  (trial.finishedAt?.getTime() ?? 0) - (trial.startedAt?.getTime() ?? 0);

const server = await ensureDatabase(embeddedDataFolder());
const scratch = await createScratchDatabase(server.url, "attune_bench");
const { db } = scratch;
const queue = await JobQueue.connect(scratch.url, "bench-fairness");
const runners = [1, 2].map((n) =>
  startRunner(scratch.url, `fair-${n}`, [
    ...["--concurrency", String(SLOTS / 2), "--control-interval", "1000"],
    ...["--checkpoint-interval", String(STEPS)],
  ]),
);
let summary = "";

/** Waits for the huge study to hold every slot, with a few trials finished. */
async function steadyHugeStudy(huge: Study): Promise<void> {
  await until(
    async () => {
      const trials = await listTrials(db, huge.id);
      const completed = trials.filter((trial) => trial.state === "completed");
      const running = trials.filter((trial) => trial.state === "running");
      return completed.length >= SLOTS && running.length === SLOTS ? true : undefined;
    },
    TRAINING_LIMIT_MS,
    "the huge study training on every slot",
  );
}

/** The median length of the study's completed trials so far, in ms. */
async function trialLength(study: Study): Promise<number> {
  return median((await listTrials(db, study.id, ["completed"])).map(lengthOf));
}

/** Starts the other team's one-trial study; its wait in ms, or undefined past `patienceMs`. */
async function secondTeamWait(patienceMs: number): Promise<number | undefined> {
  const one = await createRunningStudy(db, {
    fixed,
    budget: { trials: 1, parallelTrials: 1, stepsPerTrial: STEPS },
  });
  const asked = (await getStudy(db, one.id))?.startedAt?.getTime() ?? Date.now();
  try {
    const trial = await until(
      async () => (await listTrials(db, one.id)).find((t) => t.startedAt !== null),
      patienceMs,
      "the second team's trial to start",
    );
    return (trial.startedAt?.getTime() ?? 0) - asked;
  } catch {
    return undefined;
  } finally {
    await updateStudyStatus(db, one.id, "cancelled");
  }
}

async function stopStudy(study: Study): Promise<void> {
  await updateStudyStatus(db, study.id, "cancelled");
  await until(
    async () => ((await listTrials(db, study.id, ["running"])).length === 0 ? true : undefined),
    TRAINING_LIMIT_MS,
    "the huge study's trials to stop",
  );
}

try {
  const hugeSpec = {
    fixed,
    budget: { trials: HUGE_TRIALS, parallelTrials: HUGE_TRIALS, stepsPerTrial: STEPS },
  };

  // One trial per slot first, so that both rounds measure warm runners (threads, kernels, data).
  const warmUp = await createRunningStudy(db, {
    fixed,
    budget: { trials: SLOTS, parallelTrials: SLOTS, stepsPerTrial: STEPS },
  });
  await until(
    async () => ((await getStudy(db, warmUp.id))?.status === "completed" ? true : undefined),
    TRAINING_LIMIT_MS,
    "the warm-up study",
  );

  const fair = await createRunningStudy(db, hugeSpec);
  await steadyHugeStudy(fair);
  const queuedBefore = (await listTrials(db, fair.id, ["queued"])).length;
  const fairWait = await secondTeamWait(TRAINING_LIMIT_MS);
  if (fairWait === undefined) throw new Error("the second team's trial never started");
  const fairLength = await trialLength(fair);
  console.log(
    `fair share: trial length ${seconds(fairLength)} s, huge study had ${queuedBefore} queued; second team waited ${seconds(fairWait)} s (${fairWait <= fairLength + 2_000 ? "within" : "OVER"} one trial's length plus 2 s)`,
  );
  await stopStudy(fair);

  // The controller leaves a study holding more than its share alone: these 200 stay queued.
  const fifo = await createRunningStudy(db, hugeSpec);
  await db.transaction(async (tx) => {
    const queued = (await listTrials(tx, fifo.id)).length;
    for (let i = queued; i < HUGE_TRIALS; i++) {
      const trial = await createTrial(tx, {
        studyId: fifo.id,
        number: await reserveTrialNumber(tx, fifo.id),
        params: { lr: 1e-3 * (1 + (i % 30)) },
      });
      await queue.enqueue(tx, "trial", { trialId: trial.id });
    }
  });
  await steadyHugeStudy(fifo);
  const fifoLength = await trialLength(fifo);
  const patience = FIFO_PATIENCE_TRIALS * fifoLength;
  const ahead = (await listTrials(db, fifo.id, ["queued"])).length;
  const fifoWait = await secondTeamWait(patience);
  // Cut short, the wait is estimated: the trials queued ahead of it, SLOTS at a time.
  const estimate = `${ahead} trials queued ahead of it, about ${seconds((ahead / SLOTS) * fifoLength)} s`;
  console.log(
    fifoWait === undefined
      ? `first come, first served: trial length ${seconds(fifoLength)} s; second team still waiting after ${seconds(patience)} s (gave up; ${estimate})`
      : `first come, first served: trial length ${seconds(fifoLength)} s; second team waited ${seconds(fifoWait)} s`,
  );
  await stopStudy(fifo);

  const uploads = await healthDuringUploads(db, scratch.url, UPLOADS);
  const healthP99 = percentile(
    uploads.healthMs.sort((a, b) => a - b),
    99,
  );
  console.log(
    `web app: ${UPLOADS} uploads of 31 MiB took ${uploads.uploadMs.map((ms) => seconds(ms)).join(", ")} s; ${uploads.healthMs.length} health checks meanwhile, median ${Math.round(median(uploads.healthMs))} ms, p99 ${Math.round(healthP99)} ms, longest ${Math.round(Math.max(...uploads.healthMs))} ms`,
  );

  summary = `bench:fairness second_team_wait_s=${seconds(fairWait)} trial_length_s=${seconds(fairLength)} health_p99_ms_during_uploads=${Math.round(healthP99)}`;
} catch (error) {
  log.error("bench.fairness.failed", { message: (error as Error).message });
  process.exitCode = 1;
} finally {
  for (const runner of runners) runner.child.kill("SIGTERM");
  await Promise.all(runners.map((runner) => runner.exited));
  await queue.stop();
  await scratch.drop();
  await server.stop();
}
if (summary) console.log(summary);
