// Studies (a search space, a strategy and a budget) and their trials.
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { timestamps } from "./columns.ts";
import { projects } from "./projects.ts";
import { runners } from "./runners.ts";

export const studyStatus = pgEnum("study_status", [
  "draft",
  "running",
  "paused",
  "completed",
  "cancelled",
  "failed",
]);

/** Why a trial is paused: its study was paused, or an ASHA rung holds it until a promotion. */
export const pauseReason = pgEnum("pause_reason", ["study", "rung"]);

export const trialState = pgEnum("trial_state", [
  "queued",
  "running",
  "paused",
  "pruned",
  "completed",
  "failed",
  "cancelled",
]);

/**
 * A study's whole specification as the user wrote it: task, dataset, objectives, fixed settings,
 * search space, sampler, pruner and budget. packages/core validates it and owns its exact type.
 */
export type StudySpecJson = Record<string, unknown>;

/** Trial parameters: one value per active parameter of the search space. */
export type TrialParams = Record<string, number | string | boolean>;

export const studies = pgTable(
  "studies",
  {
    id: uuid().primaryKey().defaultRandom(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text().notNull(),
    spec: jsonb().$type<StudySpecJson>().notNull(),
    status: studyStatus().notNull().default("draft"),
    seed: bigint({ mode: "number" }).notNull(),
    /** Trial numbers are handed out from here, under a row lock, exactly once. */
    nextTrialNumber: integer().notNull().default(0),
    bestTrialId: uuid().references((): AnyPgColumn => trials.id, { onDelete: "set null" }),
    /** The study whose trials seeded this one's sampler (warm start). */
    warmStartStudyId: uuid().references((): AnyPgColumn => studies.id, { onDelete: "set null" }),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    /** Orders the runner slots among its team's studies: higher first (never across teams). */
    priority: integer().notNull().default(0),
    /** Why the study failed, for its owner to act on; cleared when it runs again. */
    error: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [unique().on(t.projectId, t.name), index().on(t.status)],
);

export const trials = pgTable(
  "trials",
  {
    id: uuid().primaryKey().defaultRandom(),
    studyId: uuid()
      .notNull()
      .references(() => studies.id, { onDelete: "cascade" }),
    number: integer().notNull(),
    params: jsonb().$type<TrialParams>().notNull(),
    state: trialState().notNull().default("queued"),
    /** One value per objective of the study, in the spec's order; null until known. */
    values: doublePrecision().array(),
    /** The last step trained: a resumed trial continues after it. */
    lastStep: integer().notNull().default(0),
    /** Starts of training: the first, and one per recovery from a lost runner (see claimTrial). */
    attempts: integer().notNull().default(0),
    pauseReason: pauseReason(),
    runnerId: uuid().references(() => runners.id, { onDelete: "set null" }),
    error: text(),
    queuedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [unique().on(t.studyId, t.number), index().on(t.studyId, t.state), index().on(t.runnerId)],
);
