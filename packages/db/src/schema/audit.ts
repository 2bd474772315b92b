// Who changed what: one row per change made through the API.
import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { apiKeys, teams } from "./teams.ts";

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    teamId: text().references(() => teams.id, { onDelete: "cascade" }),
    actorUserId: text().references(() => users.id, { onDelete: "set null" }),
    actorApiKeyId: text().references(() => apiKeys.id, { onDelete: "set null" }),
    /** Dotted verb, for example "study.create" or "member.role.update". */
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.teamId, t.createdAt), index().on(t.targetType, t.targetId)],
);
