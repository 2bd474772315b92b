// Metric points and checkpoints of trials.
import { sql } from "drizzle-orm";
import {
  check,
  doublePrecision,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { bytea } from "./columns.ts";
import { trials } from "./studies.ts";

/** One point per (trial, key, step): a rewrite after a retry replaces it instead of adding one. */
export const metrics = pgTable(
  "metrics",
  {
    trialId: uuid()
      .notNull()
      .references(() => trials.id, { onDelete: "cascade" }),
    key: text().notNull(),
    step: integer().notNull(),
    value: doublePrecision().notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trialId, t.key, t.step] })],
);

export const checkpointKind = pgEnum("checkpoint_kind", ["best", "last"]);

/** A trial keeps at most one best and one last checkpoint; saving one replaces the older. */
export const checkpoints = pgTable(
  "checkpoints",
  {
    id: uuid().primaryKey().defaultRandom(),
    trialId: uuid()
      .notNull()
      .references(() => trials.id, { onDelete: "cascade" }),
    kind: checkpointKind().notNull(),
    step: integer().notNull(),
    /** The weights and optimizer state inline, or null when they live at storageRef. */
    data: bytea(),
    storageRef: text(),
    sizeBytes: integer().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique().on(t.trialId, t.kind),
    check("checkpoints_data_or_ref", sql`(${t.data} is null) <> (${t.storageRef} is null)`),
  ],
);
