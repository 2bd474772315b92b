// The lineage of population-based trials (schema/lineage.ts): written at each round by the study
// control, read by it to know each trial's last round, and by the API as the study's schedule.
import { asc, eq, max } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Executor } from "../client.ts";
import { trialLineage, trials } from "../schema/index.ts";

export type LineageRow = typeof trialLineage.$inferSelect;
export type NewLineageRow = Omit<typeof trialLineage.$inferInsert, "createdAt">;

/** Records rounds; a round recorded already for a trial and step stays as it was. */
export async function recordLineage(db: Executor, rows: readonly NewLineageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(trialLineage)
    .values([...rows])
    .onConflictDoNothing();
}

/** Each trial's last recorded round step, by trial id; trials without one are absent. */
export async function lastRoundSteps(db: Executor, studyId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ trialId: trialLineage.trialId, step: max(trialLineage.step) })
    .from(trialLineage)
    .innerJoin(trials, eq(trials.id, trialLineage.trialId))
    .where(eq(trials.studyId, studyId))
    .groupBy(trialLineage.trialId);
  return new Map(rows.map((row) => [row.trialId, row.step ?? 0]));
}

/** One round of a trial with the numbers of the trial and of the one it copied. */
export interface StudyLineageRow {
  trialId: string;
  trialNumber: number;
  step: number;
  params: LineageRow["params"];
  copiedFromTrialNumber: number | null;
  copiedStep: number | null;
  value: number | null;
}

/** Every round of every trial of the study, by trial number then step. */
export async function listStudyLineage(db: Executor, studyId: string): Promise<StudyLineageRow[]> {
  const source = alias(trials, "source");
  return db
    .select({
      trialId: trialLineage.trialId,
      trialNumber: trials.number,
      step: trialLineage.step,
      params: trialLineage.params,
      copiedFromTrialNumber: source.number,
      copiedStep: trialLineage.copiedStep,
      value: trialLineage.value,
    })
    .from(trialLineage)
    .innerJoin(trials, eq(trials.id, trialLineage.trialId))
    .leftJoin(source, eq(source.id, trialLineage.copiedFromTrialId))
    .where(eq(trials.studyId, studyId))
    .orderBy(asc(trials.number), asc(trialLineage.step));
}
