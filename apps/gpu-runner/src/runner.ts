import { availableParallelism, hostname } from "node:os";
import { controlStudies } from "@attune/control";
import {
  createDatabase,
  heartbeatRunner,
  JobQueue,
  markRunnerOffline,
  type Runner,
  registerRunner,
} from "@attune/db";
import { log } from "@attune/runtime/log";
import type { RunnerBackend } from "./backend.ts";
import { ModelFilesCache } from "./model-files.ts";
import type { RunnerSettings } from "./settings.ts";
import { runStrategyJob } from "./strategy-job.ts";
import { TrainerThreads } from "./trainer-threads.ts";
import { runTrialJob, type TrialJobContext } from "./trial-job.ts";

export interface RunningRunner {
  readonly id: string;
  /** Leaves the queue, marks the runner offline and closes connections. */
  stop(): Promise<void>;
}

/** Registers the runner, heartbeats, and connects to the job queue to wait for work. */
export async function startRunner(
  settings: RunnerSettings,
  backend: RunnerBackend,
  url: string,
): Promise<RunningRunner> {
  const db = createDatabase(url, {
    applicationName: `attune-runner:${settings.name}`,
    maxConnections: 4,
  });
  const describe = {
    name: settings.name,
    host: hostname(),
    pid: process.pid,
    backend: backend.name,
    backendReason: backend.reason,
    device: backend.device,
    cores: availableParallelism(),
    capacity: settings.concurrency,
  };
  let runner: Runner = await registerRunner(db, describe);
  log.info("runner.registered", { runnerId: runner.id, ...describe });

  const queue = await JobQueue.connect(url, `attune-runner:${settings.name}`);
  const shutdown = new AbortController();
  const threads = new TrainerThreads(settings.concurrency);
  const trialContext: TrialJobContext = {
    db,
    queue,
    runnerId: () => runner.id,
    checkpointInterval: settings.checkpointInterval,
    threads,
    models: new ModelFilesCache(db, settings.modelCacheMb * 2 ** 20),
    directiveIntervalMs: 1_000,
    shutdown: shutdown.signal,
  };
  await queue.work(
    "trial",
    { concurrency: settings.concurrency, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      for (const job of jobs) {
        try {
          await runTrialJob(trialContext, job.data.trialId);
        } catch (error) {
          // The queue retries the job; the trial's attempts bound how often.
          log.error("trial.job.failed", {
            trialId: job.data.trialId,
            message: (error as Error).message,
          });
          throw error;
        }
      }
    },
  );
  // Strategy runs (LR range test, batch sizes) one at a time, beside the trials.
  await queue.work("strategy", { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) await runStrategyJob(trialContext, job.data.runId);
  });
  // Every runner takes part in study control; the study lock makes each decision happen once.
  let controlling = false;
  const control = setInterval(async () => {
    if (controlling) return;
    controlling = true;
    try {
      await controlStudies(db, queue);
    } catch (error) {
      // The database may be away for a while: the next round tries again.
      log.warn("study.control.round.failed", { message: (error as Error).message });
    } finally {
      controlling = false;
    }
  }, settings.controlIntervalMs);

  // A missed heartbeat (database away for a while) is retried on the next tick, not fatal.
  const beat = async () => {
    try {
      if (!(await heartbeatRunner(db, runner.id))) {
        runner = await registerRunner(db, describe);
        log.warn("runner.reregistered", { runnerId: runner.id });
      }
    } catch (error) {
      log.warn("runner.heartbeat.failed", {
        runnerId: runner.id,
        message: (error as Error).message,
      });
    }
  };
  const heartbeat = setInterval(beat, settings.heartbeatIntervalMs);
  log.info("runner.ready", { runnerId: runner.id, concurrency: settings.concurrency });

  return {
    get id() {
      return runner.id;
    },
    async stop() {
      clearInterval(control);
      // Trials checkpoint and go back on the queue; stopping the queue waits for their handlers.
      shutdown.abort();
      await queue.stop();
      await threads.close();
      clearInterval(heartbeat);
      await markRunnerOffline(db, runner.id).catch((error: Error) =>
        log.warn("runner.offline.failed", { runnerId: runner.id, message: error.message }),
      );
      await db.$client.end();
      log.info("runner.stopped", { runnerId: runner.id });
    },
  };
}
