import { availableParallelism, hostname } from "node:os";
import { log } from "@attune/core/log";
import {
  createDatabase,
  heartbeatRunner,
  JobQueue,
  markRunnerOffline,
  type Runner,
  registerRunner,
} from "@attune/db";
import type { RunnerBackend } from "./backend.ts";
import type { RunnerSettings } from "./settings.ts";

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
      clearInterval(heartbeat);
      await queue.stop();
      await markRunnerOffline(db, runner.id).catch((error: Error) =>
        log.warn("runner.offline.failed", { runnerId: runner.id, message: error.message }),
      );
      await db.$client.end();
      log.info("runner.stopped", { runnerId: runner.id });
    },
  };
}
