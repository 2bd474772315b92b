// The audit log: who changed what, one row per change made through the API.
import { desc, eq } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { auditLog } from "../schema/index.ts";
import { single } from "./shared.ts";

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
