// Strategy runs: an LR range test or a batch-size strategy on a project's dataset, run by a runner
// as a job of its own, with its result kept for the web app.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import type { JobQueue } from "../queue.ts";
import { type strategyRunStatus, strategyRuns } from "../schema/index.ts";
import { single } from "./shared.ts";

export type StrategyRun = typeof strategyRuns.$inferSelect;
export type StrategyRunStatus = (typeof strategyRunStatus.enumValues)[number];
export type NewStrategyRun = Pick<
  typeof strategyRuns.$inferInsert,
  "projectId" | "datasetId" | "kind" | "settings" | "createdBy"
>;

/** Unfinished runs: only these can be claimed, failed or cancelled. */
const UNFINISHED: StrategyRunStatus[] = ["queued", "running"];

/** Inserts a queued run and enqueues its job in one transaction: both exist, or neither. */
export async function createStrategyRun(
  db: Executor,
  queue: JobQueue,
  run: NewStrategyRun,
): Promise<StrategyRun> {
  return db.transaction(async (tx) => {
    const rows = await tx.insert(strategyRuns).values(run).returning();
    const created = single(
      rows,
      `creating a ${run.kind} run in project ${run.projectId} returned no row`,
    );
    await queue.enqueue(tx, "strategy", { runId: created.id });
    return created;
  });
}

export async function getStrategyRun(db: Executor, id: string): Promise<StrategyRun | undefined> {
  const [row] = await db.select().from(strategyRuns).where(eq(strategyRuns.id, id));
  return row;
}

/** The project's runs, newest first. */
export async function listStrategyRuns(db: Executor, projectId: string): Promise<StrategyRun[]> {
  return db
    .select()
    .from(strategyRuns)
    .where(eq(strategyRuns.projectId, projectId))
    .orderBy(desc(strategyRuns.createdAt), desc(strategyRuns.id));
}

/**
 * Claims a run for a runner: running, on this runner, from the start. From queued, or from running
 * when its earlier runner was lost (the queue redelivered the job). Undefined when the run is gone or
 * finished (cancelled meanwhile), which the caller leaves alone.
 */
export async function claimStrategyRun(
  db: Executor,
  id: string,
  runnerId: string,
): Promise<StrategyRun | undefined> {
  const [row] = await db
    .update(strategyRuns)
    .set({ status: "running", runnerId, startedAt: sql`now()`, error: null })
    .where(and(eq(strategyRuns.id, id), inArray(strategyRuns.status, UNFINISHED)))
    .returning();
  return row;
}

/** Puts a running run back on the queue (its runner is shutting down), in one transaction. */
export async function requeueStrategyRun(
  db: Executor,
  queue: JobQueue,
  id: string,
): Promise<StrategyRun | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(strategyRuns)
      .set({ status: "queued", runnerId: null, startedAt: null })
      .where(and(eq(strategyRuns.id, id), eq(strategyRuns.status, "running")))
      .returning();
    if (row) await queue.enqueue(tx, "strategy", { runId: id });
    return row;
  });
}

/** Stores a running run's result. Undefined when it is no longer running (it was cancelled). */
export async function completeStrategyRun(
  db: Executor,
  id: string,
  result: Record<string, unknown>,
): Promise<StrategyRun | undefined> {
  return finishStrategyRun(db, id, ["running"], { status: "completed", result, error: null });
}

/** Records why a run failed. Undefined when it is already finished. */
export async function failStrategyRun(
  db: Executor,
  id: string,
  error: string,
): Promise<StrategyRun | undefined> {
  return finishStrategyRun(db, id, UNFINISHED, { status: "failed", error });
}

/**
 * Cancels a queued or running run, atomically; its runner sees the status and stops. Undefined when
 * the run does not exist or is already finished.
 */
export async function cancelStrategyRun(
  db: Executor,
  id: string,
): Promise<StrategyRun | undefined> {
  return finishStrategyRun(db, id, UNFINISHED, { status: "cancelled" });
}

async function finishStrategyRun(
  db: Executor,
  id: string,
  from: StrategyRunStatus[],
  update: Partial<Pick<StrategyRun, "status" | "result" | "error">>,
): Promise<StrategyRun | undefined> {
  const [row] = await db
    .update(strategyRuns)
    .set({ ...update, finishedAt: sql`now()` })
    .where(and(eq(strategyRuns.id, id), inArray(strategyRuns.status, from)))
    .returning();
  return row;
}
