// Teams (better-auth "organizations"), their members, invitations and API keys.
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { timestamps } from "./columns.ts";

export const teamRole = pgEnum("team_role", ["owner", "admin", "member", "viewer"]);
export const invitationStatus = pgEnum("invitation_status", [
  "pending",
  "accepted",
  "rejected",
  "canceled",
]);

export const teams = pgTable(
  "teams",
  {
    id: text().primaryKey(),
    name: text().notNull(),
    slug: text().notNull().unique(),
    logo: text(),
    metadata: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * The most trials the team may have queued or training at once across all runners; null: no
     * quota beyond its fair share (see packages/control's fair-share.ts).
     */
    maxConcurrentTrials: integer(),
  },
  (t) => [check("teams_max_concurrent_trials", sql`${t.maxConcurrentTrials} > 0`)],
);

export const teamMembers = pgTable(
  "team_members",
  {
    id: text().primaryKey(),
    teamId: text()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: teamRole().notNull().default("member"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique().on(t.teamId, t.userId), index().on(t.userId)],
);

export const teamInvitations = pgTable(
  "team_invitations",
  {
    id: text().primaryKey(),
    teamId: text()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    email: text().notNull(),
    role: teamRole().notNull().default("member"),
    status: invitationStatus().notNull().default("pending"),
    inviterId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.teamId), index().on(t.email)],
);

// Field names follow @better-auth/api-key; `key` holds a hash, `start` the first characters for display.
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text().primaryKey(),
    configId: text().notNull().default("default"),
    name: text(),
    start: text(),
    prefix: text(),
    key: text().notNull(),
    // The owning user.
    referenceId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // The team the key acts for; a key never reaches another team's resources.
    teamId: text().references(() => teams.id, { onDelete: "cascade" }),
    refillInterval: integer(),
    refillAmount: integer(),
    lastRefillAt: timestamp({ withTimezone: true }),
    enabled: boolean().notNull().default(true),
    rateLimitEnabled: boolean().notNull().default(true),
    rateLimitTimeWindow: integer(),
    rateLimitMax: integer(),
    requestCount: integer().notNull().default(0),
    remaining: integer(),
    lastRequest: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }),
    permissions: text(),
    metadata: text(),
    ...timestamps,
  },
  (t) => [index().on(t.key), index().on(t.referenceId), index().on(t.teamId)],
);

export type TeamRole = (typeof teamRole.enumValues)[number];
