import { desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { runners, strategyRuns, trials } from "../schema/index.ts";
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

/** Online and heartbeating within the timeout, judged by the database's clock. */
const isAlive = sql<boolean>`${runners.status} <> 'offline' and ${runners.lastHeartbeatAt} > now() - make_interval(secs => ${RUNNER_HEARTBEAT_TIMEOUT_MS / 1000})`;

export interface RunnerView extends Runner {
  /** Online and heartbeating within the timeout. */
  alive: boolean;
  /** Trials this runner is training now (running, claimed by it); at most its capacity. */
  currentTrials: number;
  /** Strategy runs (LR range tests, batch-size searches) it is running now. */
  currentStrategyRuns: number;
}

/**
 * Runners, newest first, each with whether it is alive judged by the database's clock and what it
 * is working on now.
 */
export async function listRunners(db: Executor, limit = 100): Promise<RunnerView[]> {
  const runningTrials = db
    .select({ runnerId: trials.runnerId, trials: sql<number>`count(*)::int`.as("trials") })
    .from(trials)
    .where(eq(trials.state, "running"))
    .groupBy(trials.runnerId)
    .as("running_trials");
  const runningStrategies = db
    .select({
      runnerId: strategyRuns.runnerId,
      strategyRuns: sql<number>`count(*)::int`.as("strategy_runs"),
    })
    .from(strategyRuns)
    .where(eq(strategyRuns.status, "running"))
    .groupBy(strategyRuns.runnerId)
    .as("running_strategies");
  const rows = await db
    .select({
      runner: runners,
      alive: isAlive,
      currentTrials: sql<number>`coalesce(${runningTrials.trials}, 0)`,
      currentStrategyRuns: sql<number>`coalesce(${runningStrategies.strategyRuns}, 0)`,
    })
    .from(runners)
    .leftJoin(runningTrials, eq(runningTrials.runnerId, runners.id))
    .leftJoin(runningStrategies, eq(runningStrategies.runnerId, runners.id))
    .orderBy(desc(runners.lastHeartbeatAt))
    .limit(limit);
  return rows.map(({ runner, ...current }) => ({ ...runner, ...current }));
}

/** One runner with whether it is alive. */
export async function getRunner(
  db: Executor,
  id: string,
): Promise<(Runner & { alive: boolean }) | undefined> {
  const [row] = await db
    .select({ runner: runners, alive: isAlive })
    .from(runners)
    .where(eq(runners.id, id));
  return row && { ...row.runner, alive: row.alive };
}
