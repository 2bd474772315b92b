// Runner processes that train trials; each registers itself and heartbeats.
import { index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const runnerStatus = pgEnum("runner_status", ["online", "draining", "offline"]);

export const runners = pgTable(
  "runners",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    host: text().notNull(),
    pid: integer().notNull(),
    /** The TensorFlow.js backend in use, and why it was chosen. */
    backend: text().notNull(),
    backendReason: text().notNull().default(""),
    device: text().notNull(),
    cores: integer().notNull(),
    /** Trials this runner trains at once. */
    capacity: integer().notNull(),
    status: runnerStatus().notNull().default("online"),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastHeartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    stoppedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.status, t.lastHeartbeatAt)],
);
