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

/**
 * Makes `toTrialId`'s checkpoints copies of `fromTrialId`'s (best and last: the trial continues
 * the other's history, whose best so far travels in the last), in one statement. Returns the
 * copied last checkpoint's step, or undefined when the source has none (nothing is copied then).
 */
export async function copyCheckpoints(
  db: Executor,
  fromTrialId: string,
  toTrialId: string,
): Promise<number | undefined> {
  const [last] = await db
    .select({ step: checkpoints.step })
    .from(checkpoints)
    .where(and(eq(checkpoints.trialId, fromTrialId), eq(checkpoints.kind, "last")));
  if (last === undefined) return undefined;
  await db.execute(sql`
    insert into ${checkpoints} (trial_id, kind, step, data, storage_ref, size_bytes)
    select ${toTrialId}, kind, step, data, storage_ref, size_bytes
    from ${checkpoints} where trial_id = ${fromTrialId}
    on conflict (trial_id, kind) do update set
      step = excluded.step, data = excluded.data, storage_ref = excluded.storage_ref,
      size_bytes = excluded.size_bytes, created_at = now()`);
  return last.step;
}
