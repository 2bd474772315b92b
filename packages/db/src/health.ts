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

/**
 * What anyone may be told, a load balancer included: whether the app and its database are up. The
 * rest (migrations, queue, runners, why the database is unreachable) is for signed-in users.
 */
export type HealthStatus = Pick<Health, "status" | "database" | "checkedAt">;

export function healthStatus({ status, database, checkedAt }: Health): HealthStatus {
  return { status, database, checkedAt };
}

/** Each part of the system checked against the database itself. */
export async function readHealth(
  db: Executor,
  url = process.env.DATABASE_URL ?? "",
): Promise<Health> {
  const checkedAt = new Date().toISOString();
  try {
    await db.execute(sql`select 1`);
  } catch (error) {
    return unreachableHealth(describeConnectionError(error, url), checkedAt);
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

/** Health when the database cannot be used, with why. */
export function unreachableHealth(error: string, checkedAt = new Date().toISOString()): Health {
  return {
    status: "degraded",
    database: "unreachable",
    error,
    migrations: null,
    queue: null,
    runners: [],
    checkedAt,
  };
}
