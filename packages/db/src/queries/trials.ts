// Trials: one training run of a study with one set of parameters.
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { trials } from "../schema/index.ts";
import { CANCELLABLE_TRIAL_STATES, type TrialState } from "../states.ts";
import { single } from "./shared.ts";
import { reserveTrialNumber } from "./studies.ts";

export type Trial = typeof trials.$inferSelect;
export type NewTrial = Omit<
  typeof trials.$inferInsert,
  "id" | "attempts" | "queuedAt" | "createdAt" | "updatedAt"
>;
/** What a runner or the scheduler changes as a trial runs. */
export type TrialUpdate = Partial<
  Pick<
    typeof trials.$inferInsert,
    | "state"
    | "params"
    | "pauseReason"
    | "values"
    | "error"
    | "lastStep"
    | "runnerId"
    | "startedAt"
    | "finishedAt"
  >
>;

/** Inserts a trial with a number the caller reserved; see createNextTrial. */
export async function createTrial(db: Executor, trial: NewTrial): Promise<Trial> {
  const rows = await db.insert(trials).values(trial).returning();
  return single(rows, `creating trial ${trial.number} of study ${trial.studyId} returned no row`);
}

/** Reserves the study's next number and inserts the trial with it, in one transaction. */
export async function createNextTrial(
  db: Executor,
  trial: Omit<NewTrial, "number">,
): Promise<Trial> {
  return db.transaction(async (tx) =>
    createTrial(tx, { ...trial, number: await reserveTrialNumber(tx, trial.studyId) }),
  );
}

export async function getTrial(db: Executor, id: string): Promise<Trial | undefined> {
  const [row] = await db.select().from(trials).where(eq(trials.id, id));
  return row;
}

/** The study's trial with this number (numbers are the study's own, from 0). */
export async function getTrialByNumber(
  db: Executor,
  studyId: string,
  number: number,
): Promise<Trial | undefined> {
  const [row] = await db
    .select()
    .from(trials)
    .where(and(eq(trials.studyId, studyId), eq(trials.number, number)));
  return row;
}

/** The study's trials by number, only those in `states` when given. */
export async function listTrials(
  db: Executor,
  studyId: string,
  states?: readonly TrialState[],
): Promise<Trial[]> {
  return db
    .select()
    .from(trials)
    .where(and(eq(trials.studyId, studyId), states ? inArray(trials.state, states) : undefined))
    .orderBy(asc(trials.number));
}

export async function updateTrial(db: Executor, id: string, update: TrialUpdate): Promise<Trial> {
  const rows = await db.update(trials).set(update).where(eq(trials.id, id)).returning();
  return single(rows, `no trial ${id}`);
}

/** Counts one more attempt at training the trial (a retry after a lost runner); returns the count. */
export async function incrementTrialAttempts(db: Executor, id: string): Promise<number> {
  const rows = await db
    .update(trials)
    .set({ attempts: sql`${trials.attempts} + 1` })
    .where(eq(trials.id, id))
    .returning({ attempts: trials.attempts });
  return single(rows, `no trial ${id}`).attempts;
}

/**
 * Cancels a queued or running trial, atomically; its runner sees the state and stops. Undefined
 * when the trial does not exist or is already in another state.
 */
export async function cancelTrial(db: Executor, id: string): Promise<Trial | undefined> {
  const [row] = await db
    .update(trials)
    .set({ state: "cancelled", finishedAt: sql`now()` })
    .where(and(eq(trials.id, id), inArray(trials.state, [...CANCELLABLE_TRIAL_STATES])))
    .returning();
  return row;
}

export type TrialSortKey = "number" | "value" | "createdAt";

export interface TrialPageRequest {
  states?: readonly TrialState[];
  sortBy: TrialSortKey;
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

/**
 * One page of the study's trials, with how many match in all. Sorting by value reads the first
 * objective's final value; trials without one come last either way. Ties fall back to the number,
 * so that pages never overlap.
 */
export async function pageTrials(
  db: Executor,
  studyId: string,
  page: TrialPageRequest,
): Promise<{ trials: Trial[]; total: number }> {
  const where = and(
    eq(trials.studyId, studyId),
    page.states ? inArray(trials.state, [...page.states]) : undefined,
  );
  const direction = page.order === "asc" ? asc : desc;
  const sortColumn = {
    number: trials.number,
    value: sql`${trials.values}[1]`,
    createdAt: trials.createdAt,
  }[page.sortBy];
  const [rows, [counted]] = await Promise.all([
    db
      .select()
      .from(trials)
      .where(where)
      .orderBy(sql`${direction(sortColumn)} nulls last`, direction(trials.number))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: count() }).from(trials).where(where),
  ]);
  return { trials: rows, total: counted?.total ?? 0 };
}
