// npm run bench:platform: what the platform costs around training, measured end to end against a
// real PostgreSQL (DATABASE_URL, or the embedded one) in a scratch database:
// - dispatch: from a trial being queued to the start of its first training step (median);
// - metric points written per second, in the runner's batches;
// - overhead: the share of a trial's wall time (claim to finish) not spent in its training loop.

import {
  createDataset,
  createNextTrial,
  createStudy,
  getStudy,
  listTrials,
  type MetricPoint,
  readMetrics,
  updateStudyStatus,
  writeMetrics,
} from "@attune/db";
import { ensureDatabase } from "@attune/db/embedded";
import { embeddedDataFolder } from "@attune/db/paths";
import { createScratchDatabase } from "@attune/db/scratch";
import { seedProject } from "@attune/db/seed";
import { log } from "@attune/runtime/log";
import { startRunner, until } from "../test/cluster.ts";
import { mobyDickSample } from "./moby-dick.ts";

const TRIALS = Number(process.env.BENCH_TRIALS ?? 6);
const STEPS = Number(process.env.BENCH_STEPS ?? 120);
const settings = {
  layers: 2,
  d_model: 64,
  heads: 4,
  seq_len: 64,
  batch_size: 16,
  eval_every: STEPS,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const server = await ensureDatabase(embeddedDataFolder());
const scratch = await createScratchDatabase(server.url, "attune_bench");
const { db } = scratch;
try {
  // Metric throughput: 200,000 points in the runner's batches of 5,000.
  const { project, owner } = await seedProject(db);
  const pointsStudy = await createStudy(db, {
    projectId: project.id,
    name: "points",
    seed: 1,
    spec: {},
  });
  const pointsTrial = await createNextTrial(db, { studyId: pointsStudy.id, params: {} });
  const total = 200_000;
  const batch = 5_000;
  const writeStarted = performance.now();
  for (let start = 0; start < total; start += batch) {
    const points: MetricPoint[] = [];
    for (let step = start; step < start + batch; step++) {
      points.push({
        trialId: pointsTrial.id,
        key: "train_loss",
        step,
        value: Math.random(),
      });
    }
    await writeMetrics(db, points);
  }
  const pointsPerSecond = total / ((performance.now() - writeStarted) / 1000);
  console.log(
    `metrics: ${total} points in batches of ${batch}: ${Math.round(pointsPerSecond)} points/s`,
  );

  // Dispatch and overhead: a study of TRIALS sequential trials on one runner.
  await createDataset(db, {
    projectId: project.id,
    name: "moby",
    source: "upload",
    origin: "moby.txt",
    format: "text",
    tokenizer: "char",
    content: await mobyDickSample(200_000),
    createdBy: owner.id,
  });
  const study = await createStudy(db, {
    projectId: project.id,
    name: "dispatch",
    seed: 3,
    spec: {
      name: "dispatch",
      task: "language-modelling",
      dataset: "moby",
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      fixed: settings,
      searchSpace: { lr: { type: "float", low: 1e-4, high: 3e-3, log: true } },
      sampler: { kind: "random" },
      budget: { trials: TRIALS, parallelTrials: 1, stepsPerTrial: STEPS },
    },
  });
  const runner = startRunner(scratch.url, "bench", ["--control-interval", "100"]);
  await updateStudyStatus(db, study.id, "running");
  await until(
    async () => ((await getStudy(db, study.id))?.status === "completed" ? true : undefined),
    900_000,
    "study",
  );
  runner.child.kill("SIGTERM");
  await runner.exited;

  const dispatches: number[] = [];
  const overheads: number[] = [];
  for (const trial of await listTrials(db, study.id)) {
    const losses = await readMetrics(db, trial.id, "train_loss");
    const speeds = await readMetrics(db, trial.id, "tokens_per_s");
    const tokensPerStep = settings.batch_size * settings.seq_len;
    const stepSeconds = (step: number) =>
      tokensPerStep / (speeds.find((p) => p.step === step)?.value ?? Number.POSITIVE_INFINITY);
    const first = losses[0];
    const last = losses.at(-1);
    if (!first || !last || !trial.startedAt || !trial.finishedAt) continue;
    const firstStepStart = first.recordedAt.getTime() - stepSeconds(first.step) * 1000;
    dispatches.push(firstStepStart - trial.queuedAt.getTime());
    const wall = trial.finishedAt.getTime() - trial.startedAt.getTime();
    const training = last.recordedAt.getTime() - firstStepStart;
    overheads.push(((wall - training) / wall) * 100);
    console.log(
      `trial ${trial.number}: dispatch ${Math.round(dispatches.at(-1) ?? 0)} ms, wall ${wall} ms, training ${Math.round(training)} ms`,
    );
  }
  console.log(
    `bench:platform dispatch_ms_p50=${Math.round(median(dispatches))} metric_points_per_s=${Math.round(pointsPerSecond)} runner_overhead_pct=${median(overheads).toFixed(1)}`,
  );
} catch (error) {
  log.error("bench.platform.failed", { message: (error as Error).message });
  process.exitCode = 1;
} finally {
  await scratch.drop();
  await server.stop();
}
