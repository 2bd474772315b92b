// The audit log: who changed what, one row per change made through the API.
import { and, asc, desc, eq, gte, inArray, lte, or } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { auditLog, users } from "../schema/index.ts";
import { single } from "./shared.ts";
import type { Trial } from "./trials.ts";

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = Omit<typeof auditLog.$inferInsert, "id" | "createdAt">;

/** Pass the transaction that makes the change, so the entry exists exactly when the change does. */
export async function recordAudit(db: Executor, entry: NewAuditEntry): Promise<AuditEntry> {
  const rows = await db.insert(auditLog).values(entry).returning();
  return single(
    rows,
    `recording ${entry.action} on ${entry.targetType} ${entry.targetId} returned no row`,
  );
}

/** The team's newest entries first. */
export async function listAudit(db: Executor, teamId: string, limit = 100): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.teamId, teamId))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit);
}

/** An entry with the user who made the change; null when their account is gone. */
export interface AttributedAuditEntry extends AuditEntry {
  actor: { name: string; email: string } | null;
}

/** What a study's members do to it that changes the state of its unfinished trials. */
const STUDY_ACTIONS_ON_TRIALS = ["study.pause", "study.resume", "study.cancel"];

/**
 * The changes people made to a trial's state, oldest first: cancelling the trial, and pausing,
 * resuming or cancelling its study between the trial's queueing and its end.
 */
export async function listTrialAudit(
  db: Executor,
  trial: Pick<Trial, "id" | "studyId" | "queuedAt" | "finishedAt">,
  limit = 200,
): Promise<AttributedAuditEntry[]> {
  const rows = await db
    .select({ entry: auditLog, name: users.name, email: users.email })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(
      or(
        and(eq(auditLog.targetType, "trial"), eq(auditLog.targetId, trial.id)),
        and(
          eq(auditLog.targetType, "study"),
          eq(auditLog.targetId, trial.studyId),
          inArray(auditLog.action, STUDY_ACTIONS_ON_TRIALS),
          gte(auditLog.createdAt, trial.queuedAt),
          trial.finishedAt ? lte(auditLog.createdAt, trial.finishedAt) : undefined,
        ),
      ),
    )
    .orderBy(asc(auditLog.createdAt), asc(auditLog.id))
    .limit(limit);
  return rows.map(({ entry, name, email }) => ({
    ...entry,
    actor: name === null || email === null ? null : { name, email },
  }));
}
