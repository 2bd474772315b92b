import { desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { runners } from "../schema/index.ts";
import { single } from "./shared.ts";

export type Runner = typeof runners.$inferSelect;
export type NewRunner = Omit<
  typeof runners.$inferInsert,
  "id" | "status" | "startedAt" | "lastHeartbeatAt" | "stoppedAt"
>;

/** A runner whose last heartbeat is older than this is taken as gone, and its trials as orphaned. */
export const RUNNER_HEARTBEAT_TIMEOUT_MS = 30_000;

export async function registerRunner(db: Executor, runner: NewRunner): Promise<Runner> {
  const rows = await db.insert(runners).values(runner).returning();
  return single(rows, `registering runner ${runner.name} on ${runner.host} returned no row`);
}

/** Records that the runner is alive; returns false if its row is gone (it must register again). */
export async function heartbeatRunner(db: Executor, id: string): Promise<boolean> {
  const rows = await db
    .update(runners)
    .set({ lastHeartbeatAt: sql`now()`, status: "online" })
    .where(eq(runners.id, id))
    .returning({ id: runners.id });
  return rows.length === 1;
}

export async function markRunnerOffline(db: Executor, id: string): Promise<void> {
  await db
    .update(runners)
    .set({ status: "offline", stoppedAt: sql`now()` })
    .where(eq(runners.id, id));
}

export interface RunnerView extends Runner {
  /** Online and heartbeating within the timeout. */
  alive: boolean;
}

/** Runners, newest first, each with whether it is alive judged by the database's clock. */
export async function listRunners(db: Executor, limit = 100): Promise<RunnerView[]> {
  const rows = await db
    .select({
      runner: runners,
      alive: sql<boolean>`${runners.status} <> 'offline' and ${runners.lastHeartbeatAt} > now() - make_interval(secs => ${RUNNER_HEARTBEAT_TIMEOUT_MS / 1000})`,
    })
    .from(runners)
    .orderBy(desc(runners.lastHeartbeatAt))
    .limit(limit);
  return rows.map(({ runner, alive }) => ({ ...runner, alive }));
}
