import { sql } from "drizzle-orm";
import type { Executor } from "./client.ts";
import { describeConnectionError } from "./errors.ts";
import { type MigrationStatus, readMigrationStatus } from "./migrate.ts";
import { listRunners, type RunnerView } from "./queries/runners.ts";
import { type QueueHealth, readQueueHealth } from "./queue.ts";

export interface Health {
  status: "ok" | "degraded";
  database: "ok" | "unreachable";
  /** Why the database could not be used, when it could not. */
  error?: string;
  migrations: MigrationStatus | null;
  queue: QueueHealth | null;
  runners: Pick<
    RunnerView,
    "id" | "name" | "host" | "backend" | "status" | "alive" | "lastHeartbeatAt"
  >[];
  checkedAt: string;
}

/** What /api/health reports: each part checked against the database itself. */
export async function readHealth(
  db: Executor,
  url = process.env.DATABASE_URL ?? "",
): Promise<Health> {
  const checkedAt = new Date().toISOString();
  try {
    await db.execute(sql`select 1`);
  } catch (error) {
    return {
      status: "degraded",
      database: "unreachable",
      error: describeConnectionError(error, url),
      migrations: null,
      queue: null,
      runners: [],
      checkedAt,
    };
  }
  const [migrations, queue, runners] = await Promise.all([
    readMigrationStatus(db),
    readQueueHealth(db),
    listRunners(db, 20),
  ]);
  return {
    status: migrations.current && queue.reachable ? "ok" : "degraded",
    database: "ok",
    migrations,
    queue,
    runners: runners.map(({ id, name, host, backend, status, alive, lastHeartbeatAt }) => ({
      id,
      name,
      host,
      backend,
      status,
      alive,
      lastHeartbeatAt,
    })),
    checkedAt,
  };
}
