// The lineage of population-based trials: each trial's parameters from each step on, and whose
// checkpoint it copied there. A PBT study's result is a schedule, not a point: these rows are it.
import {
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { type TrialParams, trials } from "./studies.ts";

/**
 * One row per trial per round (step 0: its first parameters): the parameters it trains with from
 * that step on, and, when it copied another trial's checkpoint there (PBT's exploit), which trial
 * and the step of that checkpoint. Written by the study control only.
 */
export const trialLineage = pgTable(
  "trial_lineage",
  {
    trialId: uuid()
      .notNull()
      .references(() => trials.id, { onDelete: "cascade" }),
    /** The round's step: the trial's parameters change here. */
    step: integer().notNull(),
    params: jsonb().$type<TrialParams>().notNull(),
    /** The trial whose weights and optimizer state this one copied at the round; null if none. */
    copiedFromTrialId: uuid().references(() => trials.id, { onDelete: "set null" }),
    /** The step of the copied checkpoint: where this trial resumed. */
    copiedStep: integer(),
    /** The trial's value of the study's objective at the round, which ranked it; null at step 0. */
    value: doublePrecision(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.trialId, t.step] })],
);
