// The job queue: pg-boss, in the same database, so a job is enqueued in the transaction that writes
// the row it belongs to, and is never delivered if that transaction rolls back.

import { log } from "@attune/runtime/log";
import { sql } from "drizzle-orm";
import { fromDrizzle, PgBoss, type Queue, type SendOptions, type WorkHandler } from "pg-boss";
import type { Executor, Transaction } from "./client.ts";

export const QUEUE_SCHEMA = "pgboss";

/** Every queue, with the payload its jobs carry. */
export interface JobPayloads {
  /** Train one trial, from its last checkpoint if it has one. */
  trial: { trialId: string };
  /** Run one strategy (LR range test, batch-size selection) and store its result. */
  strategy: { runId: string };
}
export type QueueName = keyof JobPayloads;

const queueOptions: Record<QueueName, Omit<Queue, "name">> = {
  // A runner that stops heartbeating (killed, cut off) loses the job to another runner; 10 s is
  // pg-boss's shortest heartbeat. Retries are bounded; the runner also counts a trial's attempts.
  trial: {
    heartbeatSeconds: 10,
    retryLimit: 5,
    retryDelay: 1,
    expireInSeconds: 86_400,
  },
  strategy: {
    heartbeatSeconds: 10,
    retryLimit: 2,
    retryDelay: 1,
    expireInSeconds: 86_400,
  },
};

export const queueNames = Object.keys(queueOptions) as QueueName[];

function newBoss(url: string, applicationName: string): PgBoss {
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: applicationName,
    max: 4,
  });
  boss.on("error", (error) => log.error("queue.error", { message: error.message }));
  return boss;
}

/** Creates or upgrades pg-boss's schema and every queue. Part of `migrateDatabase`. */
export async function installQueue(url: string): Promise<void> {
  const boss = newBoss(url, "attune-migrate");
  await boss.start();
  try {
    for (const name of queueNames) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, queueOptions[name]);
      else await boss.updateQueue(name, queueOptions[name]);
    }
  } finally {
    await boss.stop({ graceful: false });
  }
}

/** A started connection to the queue, for processes that enqueue or work jobs. */
export class JobQueue {
  private constructor(private readonly boss: PgBoss) {}

  static async connect(url: string, applicationName = "attune-queue"): Promise<JobQueue> {
    const boss = newBoss(url, applicationName);
    await boss.start();
    return new JobQueue(boss);
  }

  /** Enqueues inside `tx`: the job exists exactly when the transaction commits. */
  async enqueue<N extends QueueName>(
    tx: Transaction,
    name: N,
    data: JobPayloads[N],
    options: Omit<SendOptions, "db"> = {},
  ): Promise<string> {
    const id = await this.boss.send(name, data, { ...options, db: fromDrizzle(tx, sql) });
    if (!id) throw new Error(`queue "${name}" refused the job (a singleton already queued?)`);
    return id;
  }

  /** Calls `handler` for jobs of `name`, `concurrency` at a time, until `stop`. */
  async work<N extends QueueName>(
    name: N,
    options: { concurrency: number; pollingIntervalSeconds?: number },
    handler: WorkHandler<JobPayloads[N]>,
  ): Promise<string> {
    return this.boss.work<JobPayloads[N]>(
      name,
      {
        localConcurrency: options.concurrency,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
      },
      handler,
    );
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}

export interface QueueHealth {
  reachable: boolean;
  queues: number;
  error?: string;
}

/** Reads the queue's state with plain SQL, so a serverless request need not start pg-boss. */
export async function readQueueHealth(db: Executor): Promise<QueueHealth> {
  try {
    const result = await db.execute<{ queues: number }>(
      sql`select count(*)::int as queues from ${sql.identifier(QUEUE_SCHEMA)}.queue where name in ${queueNames}`,
    );
    const queues = result.rows[0]?.queues ?? 0;
    return queues === queueNames.length
      ? { reachable: true, queues }
      : { reachable: false, queues, error: "queues not installed: run the migrations" };
  } catch (error) {
    return { reachable: false, queues: 0, error: (error as Error).message };
  }
}
