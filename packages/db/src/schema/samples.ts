// Generated samples of trials: at each evaluation of an instruction or dialogue trial, a few of the
// completions the model generated, beside the references they were scored against, so that a person
// can read what a score means.
import { integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { trials } from "./studies.ts";

/** One row per (trial, evaluation step, sample position): a retried write replaces, never adds. */
export const generationSamples = pgTable(
  "generation_samples",
  {
    trialId: uuid()
      .notNull()
      .references(() => trials.id, { onDelete: "cascade" }),
    step: integer().notNull(),
    /** The sample's place among the evaluation's samples: the same validation example each time. */
    position: integer().notNull(),
    prompt: text().notNull(),
    reference: text().notNull(),
    generated: text().notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trialId, t.step, t.position] })],
);
