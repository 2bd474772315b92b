// What the study controller and the runners read and lock to decide what to train next.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { metrics, projects, studies, teams, trials } from "../schema/index.ts";
import type { Study } from "./studies.ts";

/**
 * The study row, locked until the transaction ends: the lock per study that makes trial creation
 * and completion happen once however many runners decide at the same time. Undefined when another
 * transaction holds it (skip the study this round) or it does not exist.
 */
export async function lockStudy(db: Executor, id: string): Promise<Study | undefined> {
  const [row] = await db.select().from(studies).where(eq(studies.id, id)).for("update", {
    skipLocked: true,
  });
  return row;
}

/** Ids of the studies in `status`, oldest first. */
export async function listStudyIdsByStatus(
  db: Executor,
  status: Study["status"],
): Promise<string[]> {
  const rows = await db
    .select({ id: studies.id })
    .from(studies)
    .where(eq(studies.status, status))
    .orderBy(asc(studies.createdAt));
  return rows.map((row) => row.id);
}

/** A running study with what the fair share of runner slots needs to know about it. */
export interface ScheduledStudy {
  study: Pick<Study, "id" | "spec" | "priority" | "startedAt">;
  teamId: string;
  /** The team's quota on concurrent trials; null when it has none. */
  teamMaxConcurrentTrials: number | null;
  /**
   * Its trials: all it has numbered, those queued or running, and those paused (for a study or a
   * rung). Numbers count reserved ones whose trial the sampler then could not make: at most one.
   */
  trials: { total: number; active: number; paused: number };
}

/**
 * Every running study with its team and trial counts, oldest start first. Every control round
 * reads this: it counts only unfinished trials (an index reads them), and takes the total from the
 * study's trial numbers.
 */
export async function listScheduledStudies(db: Executor): Promise<ScheduledStudy[]> {
  const running = db.select({ id: studies.id }).from(studies).where(eq(studies.status, "running"));
  const counts = db
    .select({
      studyId: trials.studyId,
      active:
        sql<number>`(count(*) filter (where ${trials.state} in ('queued', 'running')))::int`.as(
          "active",
        ),
      paused: sql<number>`(count(*) filter (where ${trials.state} = 'paused'))::int`.as("paused"),
    })
    .from(trials)
    .where(
      and(inArray(trials.studyId, running), inArray(trials.state, ["queued", "running", "paused"])),
    )
    .groupBy(trials.studyId)
    .as("trial_counts");
  const rows = await db
    .select({
      id: studies.id,
      spec: studies.spec,
      priority: studies.priority,
      startedAt: studies.startedAt,
      teamId: projects.teamId,
      teamMaxConcurrentTrials: teams.maxConcurrentTrials,
      total: studies.nextTrialNumber,
      active: counts.active,
      paused: counts.paused,
    })
    .from(studies)
    .innerJoin(projects, eq(projects.id, studies.projectId))
    .innerJoin(teams, eq(teams.id, projects.teamId))
    .leftJoin(counts, eq(counts.studyId, studies.id))
    .where(eq(studies.status, "running"))
    .orderBy(asc(studies.startedAt), asc(studies.createdAt), asc(studies.id));
  return rows.map(({ teamId, teamMaxConcurrentTrials, total, active, paused, ...study }) => ({
    study,
    teamId,
    teamMaxConcurrentTrials,
    trials: { total, active: active ?? 0, paused: paused ?? 0 },
  }));
}

/** Sets the study's priority among its team's studies (higher first; 0 by default). */
export async function setStudyPriority(db: Executor, id: string, priority: number) {
  const [row] = await db
    .update(studies)
    .set({ priority })
    .where(eq(studies.id, id))
    .returning({ id: studies.id, name: studies.name, priority: studies.priority });
  return row;
}

/** Sets the quota on concurrent trials of the team with this slug; null removes it. */
export async function setTeamMaxConcurrentTrials(
  db: Executor,
  slug: string,
  maxConcurrentTrials: number | null,
) {
  const [row] = await db
    .update(teams)
    .set({ maxConcurrentTrials })
    .where(eq(teams.slug, slug))
    .returning({ id: teams.id, slug: teams.slug, maxConcurrentTrials: teams.maxConcurrentTrials });
  return row;
}

export interface SeriesPoint {
  trialId: string;
  key: string;
  step: number;
  value: number;
}

/** The metric series `keys` of every trial of the study, by trial and step. */
export async function readStudySeries(
  db: Executor,
  studyId: string,
  keys: readonly string[],
): Promise<SeriesPoint[]> {
  if (keys.length === 0) return [];
  return db
    .select({
      trialId: metrics.trialId,
      key: metrics.key,
      step: metrics.step,
      value: metrics.value,
    })
    .from(metrics)
    .innerJoin(trials, eq(trials.id, metrics.trialId))
    .where(and(eq(trials.studyId, studyId), inArray(metrics.key, [...keys])))
    .orderBy(asc(metrics.trialId), asc(metrics.step));
}

/** What a running trial must do now, from its own state and its study's status. */
export type TrialDirective = "continue" | "cancel" | "pause";

export async function readTrialDirective(db: Executor, trialId: string): Promise<TrialDirective> {
  const [row] = await db
    .select({ state: trials.state, studyStatus: studies.status })
    .from(trials)
    .innerJoin(studies, eq(studies.id, trials.studyId))
    .where(eq(trials.id, trialId));
  if (!row || row.state === "cancelled" || row.studyStatus === "cancelled") return "cancel";
  if (row.studyStatus === "paused") return "pause";
  return "continue";
}

/**
 * Claims a trial for a runner: running, on this runner. Only from queued, or from running when its
 * earlier runner was lost (the queue redelivered the job). Undefined when the trial is in any other
 * state, which the caller leaves alone. Attempts count the first start and each recovery from a
 * lost runner, not the deliberate stops and resumes (pause, promotion, a runner's shutdown), so
 * they can bound retries of a trial that keeps crashing its runners.
 */
export async function claimTrial(db: Executor, trialId: string, runnerId: string) {
  const [row] = await db
    .update(trials)
    .set({
      state: "running",
      runnerId,
      pauseReason: null,
      attempts: sql`case when ${trials.state} = 'running' or ${trials.attempts} = 0 then ${trials.attempts} + 1 else ${trials.attempts} end`,
      startedAt: sql`coalesce(${trials.startedAt}, now())`,
    })
    .where(and(eq(trials.id, trialId), inArray(trials.state, ["queued", "running"])))
    .returning();
  return row;
}
