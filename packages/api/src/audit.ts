// Every change made through the API leaves an audit-log entry, written in the change's transaction.
import { recordAudit, type Transaction } from "@attune/db";
import type { Context, Identity } from "./trpc.ts";

export interface AuditRecord {
  teamId: string;
  /** Dotted verb, for example "project.create" or "member.role.update". */
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

/**
 * Makes the change and records it in one transaction, so the entry exists exactly when the change
 * does; `describe` builds the entry from what the change returned.
 */
export async function audited<T>(
  ctx: Pick<Context, "db"> & { identity: Identity },
  change: (tx: Transaction) => Promise<T>,
  describe: (result: T) => AuditRecord,
): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    const result = await change(tx);
    await recordAudit(tx, {
      ...describe(result),
      actorUserId: ctx.identity.userId,
      actorApiKeyId: ctx.identity.kind === "apiKey" ? ctx.identity.apiKeyId : null,
    });
    return result;
  });
}
