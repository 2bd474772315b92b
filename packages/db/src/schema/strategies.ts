// Runs of the strategies that other tuners leave to the user (LR range test, batch-size selection),
// executed by runners as jobs of their own, with their results kept for the web app.
import { index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { timestamps } from "./columns.ts";
import { datasets, projects } from "./projects.ts";
import { runners } from "./runners.ts";

export const strategyKind = pgEnum("strategy_kind", [
  "lr-range-test",
  "batch-size-cross-validation",
  "batch-size-sweep",
  "gradient-noise-scale",
]);

export const strategyRunStatus = pgEnum("strategy_run_status", [
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
]);

export const strategyRuns = pgTable(
  "strategy_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    datasetId: uuid()
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    kind: strategyKind().notNull(),
    /** The strategy's options, the trial settings it trains with and the model it starts from. */
    settings: jsonb().$type<Record<string, unknown>>().notNull(),
    status: strategyRunStatus().notNull().default("queued"),
    /** The strategy's result (recommendation and evidence), as packages/core returns it. */
    result: jsonb().$type<Record<string, unknown>>(),
    error: text(),
    runnerId: uuid().references(() => runners.id, { onDelete: "set null" }),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [index().on(t.projectId, t.createdAt)],
);
