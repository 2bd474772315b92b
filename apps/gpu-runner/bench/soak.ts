// npm run soak (not in CI): a study trained by several runners that are killed at random
// (SIGKILL) and replaced for a few minutes; then every trial's curve is checked point by point.
// Ends with: soak trials=<n> lost_points=<n> duplicate_points=<n> stuck_trials=<n>
import { getStudy, listTrials, readMetrics } from "@attune/db";
import { ensureDatabase } from "@attune/db/embedded";
import { embeddedDataFolder } from "@attune/db/paths";
import { createScratchDatabase } from "@attune/db/scratch";
import { sql } from "drizzle-orm";
import { createRunningStudy, type RunnerProcess, startRunner, until } from "../test/cluster.ts";

const RUNNERS = Number(process.env.SOAK_RUNNERS ?? 3);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const TRIALS = Number(process.env.SOAK_TRIALS ?? 24);
const STEPS = 300;

const server = await ensureDatabase(embeddedDataFolder());
const scratch = await createScratchDatabase(server.url, "attune_soak");
const { db } = scratch;
const runners: RunnerProcess[] = [];
let started = 0;
const launch = () => runners.push(startRunner(scratch.url, `soak-${started++}`));

try {
  const study = await createRunningStudy(db, {
    fixed: { layers: 1, d_model: 32, heads: 2, seq_len: 32, batch_size: 8, eval_every: 50 },
    budget: { trials: TRIALS, parallelTrials: RUNNERS, stepsPerTrial: STEPS },
  });
  for (let i = 0; i < RUNNERS; i++) launch();

  let kills = 0;
  const until_ = Date.now() + SECONDS * 1000;
  while (Date.now() < until_) {
    await new Promise((resolve) => setTimeout(resolve, 5_000 + Math.random() * 15_000));
    const alive = runners.filter(
      (runner) => runner.child.exitCode === null && runner.child.signalCode === null,
    );
    const victim = alive[Math.floor(Math.random() * alive.length)];
    if (!victim) continue;
    victim.child.kill("SIGKILL");
    kills++;
    launch();
    console.log(`soak: killed a runner (${kills} so far), ${alive.length} running`);
  }
  await until(
    async () => ((await getStudy(db, study.id))?.status === "completed" ? true : undefined),
    600_000,
    "study completed",
  );

  const trials = await listTrials(db, study.id);
  let lost = 0;
  for (const trial of trials.filter((t) => t.state === "completed")) {
    const steps = new Set(
      (await readMetrics(db, trial.id, "train_loss")).map((point) => point.step),
    );
    for (let step = 1; step <= STEPS; step++) if (!steps.has(step)) lost++;
  }
  const duplicates = await db.execute<{ n: number }>(
    sql`select (count(*) - count(distinct (trial_id, key, step)))::int as n from metrics`,
  );
  const stuck = trials.filter(
    (t) => !["completed", "failed", "pruned", "cancelled"].includes(t.state),
  ).length;
  const failed = trials.filter((t) => t.state === "failed");
  for (const trial of failed) console.log(`soak: trial ${trial.number} failed: ${trial.error}`);
  console.log(`soak: ${kills} kills over ${SECONDS} s, ${started} runners started`);
  console.log(
    `soak trials=${trials.length} lost_points=${lost} duplicate_points=${duplicates.rows[0]?.n ?? -1} stuck_trials=${stuck}`,
  );
} finally {
  for (const runner of runners) runner.child.kill("SIGKILL");
  await Promise.all(runners.map((runner) => runner.exited));
  await scratch.drop();
  await server.stop();
}
