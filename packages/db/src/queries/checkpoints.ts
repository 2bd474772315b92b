// Checkpoints: a trial's best and last saved state, one row of each at most.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { type checkpointKind, checkpoints } from "../schema/index.ts";
import { columnsWithout, single } from "./shared.ts";

export type Checkpoint = typeof checkpoints.$inferSelect;
export type CheckpointKind = (typeof checkpointKind.enumValues)[number];
/** A checkpoint without its data, which may be megabytes. */
export type CheckpointSummary = Omit<Checkpoint, "data">;
export type NewCheckpoint = Omit<typeof checkpoints.$inferInsert, "id" | "createdAt">;

const summaryColumns = columnsWithout(checkpoints, "data");

/** Saves the trial's `kind` checkpoint, replacing the one saved before. */
export async function saveCheckpoint(
  db: Executor,
  checkpoint: NewCheckpoint,
): Promise<CheckpointSummary> {
  const replacement = {
    step: checkpoint.step,
    data: checkpoint.data ?? null,
    storageRef: checkpoint.storageRef ?? null,
    sizeBytes: checkpoint.sizeBytes,
    createdAt: sql`now()`,
  };
  const rows = await db
    .insert(checkpoints)
    .values(checkpoint)
    .onConflictDoUpdate({ target: [checkpoints.trialId, checkpoints.kind], set: replacement })
    .returning(summaryColumns);
  return single(
    rows,
    `saving the ${checkpoint.kind} checkpoint of trial ${checkpoint.trialId} returned no row`,
  );
}

/** The checkpoint with its data, to resume or evaluate from. */
export async function getCheckpoint(
  db: Executor,
  trialId: string,
  kind: CheckpointKind,
): Promise<Checkpoint | undefined> {
  const [row] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.trialId, trialId), eq(checkpoints.kind, kind)));
  return row;
}

export async function listCheckpoints(db: Executor, trialId: string): Promise<CheckpointSummary[]> {
  return db
    .select(summaryColumns)
    .from(checkpoints)
    .where(eq(checkpoints.trialId, trialId))
    .orderBy(asc(checkpoints.kind));
}
