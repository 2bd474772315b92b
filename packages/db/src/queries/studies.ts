// Studies: a search over a project's models, and the counter their trial numbers come from.
import { and, asc, count, desc, eq, exists, inArray, max, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Executor } from "../client.ts";
import { metrics, studies, trials } from "../schema/index.ts";
import { FINISHED_STUDY_STATUSES, type StudyStatus, type TrialState } from "../states.ts";
import { single } from "./shared.ts";

export type Study = typeof studies.$inferSelect;
/** The fields a caller chooses; the counter, best trial and timings are kept by this module. */
export type NewStudy = Omit<
  typeof studies.$inferInsert,
  "id" | "nextTrialNumber" | "bestTrialId" | "startedAt" | "finishedAt" | "createdAt" | "updatedAt"
>;

export async function createStudy(db: Executor, study: NewStudy): Promise<Study> {
  const rows = await db.insert(studies).values(study).returning();
  return single(
    rows,
    `creating study "${study.name}" in project ${study.projectId} returned no row`,
  );
}

export async function getStudy(db: Executor, id: string): Promise<Study | undefined> {
  const [row] = await db.select().from(studies).where(eq(studies.id, id));
  return row;
}

/** The project's studies, newest first. */
export async function listStudies(db: Executor, projectId: string): Promise<Study[]> {
  return db
    .select()
    .from(studies)
    .where(eq(studies.projectId, projectId))
    .orderBy(desc(studies.createdAt), desc(studies.id));
}

export interface StudySummary extends Study {
  /** The study's trials: all of them, those training now, and those that finished training. */
  trialCounts: { total: number; running: number; completed: number };
  /** The best trial's objective values, in the spec's order; null until there is a best trial. */
  bestValues: number[] | null;
}

/** The project's studies, newest first, each with its trial counts and best values: for lists. */
export async function listStudySummaries(db: Executor, projectId: string): Promise<StudySummary[]> {
  const counts = db
    .select({
      studyId: trials.studyId,
      total: sql<number>`count(*)::int`.as("total"),
      running: sql<number>`(count(*) filter (where ${trials.state} = 'running'))::int`.as(
        "running",
      ),
      completed: sql<number>`(count(*) filter (where ${trials.state} = 'completed'))::int`.as(
        "completed",
      ),
    })
    .from(trials)
    .innerJoin(studies, eq(studies.id, trials.studyId))
    .where(eq(studies.projectId, projectId))
    .groupBy(trials.studyId)
    .as("trial_counts");
  const best = alias(trials, "best_trial");
  const rows = await db
    .select({
      study: studies,
      total: counts.total,
      running: counts.running,
      completed: counts.completed,
      bestValues: best.values,
    })
    .from(studies)
    .leftJoin(counts, eq(counts.studyId, studies.id))
    .leftJoin(best, eq(best.id, studies.bestTrialId))
    .where(eq(studies.projectId, projectId))
    .orderBy(desc(studies.createdAt), desc(studies.id));
  return rows.map(({ study, total, running, completed, bestValues }) => ({
    ...study,
    trialCounts: { total: total ?? 0, running: running ?? 0, completed: completed ?? 0 },
    bestValues: bestValues ?? null,
  }));
}

/**
 * The columns a move to `status` sets: running keeps the first start and clears any finish and
 * error (a failed study may be resumed); a finished status stamps the finish; failed also says why.
 */
function statusColumns(status: StudyStatus, error?: string) {
  if (status === "running") {
    return {
      status,
      startedAt: sql`coalesce(${studies.startedAt}, now())`,
      finishedAt: null,
      error: null,
    };
  }
  if (FINISHED_STUDY_STATUSES.includes(status)) {
    return { status, finishedAt: sql`now()`, error: status === "failed" ? (error ?? null) : null };
  }
  return { status };
}

/** Moves the study to `status`; `error` says why, when that is failed. */
export async function updateStudyStatus(
  db: Executor,
  id: string,
  status: StudyStatus,
  error?: string,
): Promise<Study> {
  const rows = await db
    .update(studies)
    .set(statusColumns(status, error))
    .where(eq(studies.id, id))
    .returning();
  return single(rows, `no study ${id}`);
}

/**
 * Moves the study to `status` only from one of `from`, atomically, so that two requests racing to
 * change it cannot both succeed. Undefined when the study does not exist or is in another status.
 */
export async function transitionStudyStatus(
  db: Executor,
  id: string,
  from: readonly StudyStatus[],
  status: StudyStatus,
): Promise<Study | undefined> {
  const [row] = await db
    .update(studies)
    .set(statusColumns(status))
    .where(and(eq(studies.id, id), inArray(studies.status, [...from])))
    .returning();
  return row;
}

/**
 * Raises the study's trial budget by `count`, so its sampler hands out that many more trials; a
 * completed study runs again to train them. Undefined unless the study is running, paused or
 * completed.
 */
export async function appendStudyTrials(
  db: Executor,
  id: string,
  count: number,
): Promise<Study | undefined> {
  const completed = sql`${studies.status} = 'completed'`;
  const [row] = await db
    .update(studies)
    .set({
      spec: sql`jsonb_set(${studies.spec}, '{budget,trials}', to_jsonb((${studies.spec}->'budget'->>'trials')::int + ${count}))`,
      status: sql`case when ${completed} then 'running'::study_status else ${studies.status} end`,
      finishedAt: sql`case when ${completed} then null else ${studies.finishedAt} end`,
    })
    .where(and(eq(studies.id, id), inArray(studies.status, ["running", "paused", "completed"])))
    .returning();
  return row;
}

/** Points the study at its best trial; throws unless the trial belongs to that study. */
export async function setBestTrial(db: Executor, studyId: string, trialId: string): Promise<Study> {
  const rows = await db
    .update(studies)
    .set({ bestTrialId: trialId })
    .where(
      and(
        eq(studies.id, studyId),
        exists(
          db
            .select({ one: sql`1` })
            .from(trials)
            .where(and(eq(trials.id, trialId), eq(trials.studyId, studyId))),
        ),
      ),
    )
    .returning();
  return single(rows, `no study ${studyId} with a trial ${trialId}`);
}

/**
 * Hands out the study's next trial number exactly once. The update locks the study row until the
 * caller's transaction ends, so concurrent callers queue and each gets its own number; a rolled-back
 * transaction gives its number back.
 */
export async function reserveTrialNumber(db: Executor, studyId: string): Promise<number> {
  const rows = await db
    .update(studies)
    .set({ nextTrialNumber: sql`${studies.nextTrialNumber} + 1` })
    .where(eq(studies.id, studyId))
    .returning({ number: sql<number>`${studies.nextTrialNumber} - 1` });
  return single(rows, `no study ${studyId} to reserve a trial number in`).number;
}

/** Where a study stands, as its live view shows it. */
export interface StudyProgress {
  status: StudyStatus;
  trialsByState: Partial<Record<TrialState, number>>;
  bestTrialId: string | null;
  /** The best trial's values, one per objective; null until a trial is best. */
  bestValues: number[] | null;
  /** Each running trial's latest reported metric step; null before its first report. */
  runningTrials: { trialId: string; number: number; latestStep: number | null }[];
}

export async function readStudyProgress(
  db: Executor,
  studyId: string,
): Promise<StudyProgress | undefined> {
  const [study] = await db
    .select({ status: studies.status, bestTrialId: studies.bestTrialId, bestValues: trials.values })
    .from(studies)
    .leftJoin(trials, eq(trials.id, studies.bestTrialId))
    .where(eq(studies.id, studyId));
  if (!study) return undefined;
  const counts = await db
    .select({ state: trials.state, trials: count() })
    .from(trials)
    .where(eq(trials.studyId, studyId))
    .groupBy(trials.state)
    .orderBy(asc(trials.state));
  const runningTrials = await db
    .select({ trialId: trials.id, number: trials.number, latestStep: max(metrics.step) })
    .from(trials)
    .leftJoin(metrics, eq(metrics.trialId, trials.id))
    .where(and(eq(trials.studyId, studyId), eq(trials.state, "running")))
    .groupBy(trials.id, trials.number)
    .orderBy(asc(trials.number));
  return {
    ...study,
    trialsByState: Object.fromEntries(counts.map((row) => [row.state, row.trials])),
    runningTrials,
  };
}
