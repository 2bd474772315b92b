// Metric points of trials: (trial, key, step) -> value.
import { and, asc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { metrics, trials } from "../schema/index.ts";

export type Metric = typeof metrics.$inferSelect;
export type MetricPoint = typeof metrics.$inferInsert;

/** Points per insert statement: 5 parameters each stays under PostgreSQL's 65,535. */
const METRICS_PER_STATEMENT = 10_000;

/**
 * Writes points, replacing any already stored for the same (trial, key, step), so a trial resumed
 * after a lost runner can rewrite steps it had reported. Within one call the last point for a
 * (trial, key, step) wins (PostgreSQL refuses to upsert one row twice in a statement).
 */
export async function writeMetrics(db: Executor, points: readonly MetricPoint[]): Promise<void> {
  const unique = [
    ...new Map(points.map((p) => [`${p.trialId}\u0000${p.key}\u0000${p.step}`, p])).values(),
  ];
  if (unique.length === 0) return;
  await db.transaction(async (tx) => {
    for (let start = 0; start < unique.length; start += METRICS_PER_STATEMENT) {
      await tx
        .insert(metrics)
        .values(unique.slice(start, start + METRICS_PER_STATEMENT))
        .onConflictDoUpdate({
          target: [metrics.trialId, metrics.key, metrics.step],
          set: { value: sql`excluded.value`, recordedAt: sql`excluded.recorded_at` },
        });
    }
  });
}

/** The trial's points by key then step, or one key's by step. */
export async function readMetrics(db: Executor, trialId: string, key?: string): Promise<Metric[]> {
  return db
    .select()
    .from(metrics)
    .where(and(eq(metrics.trialId, trialId), key === undefined ? undefined : eq(metrics.key, key)))
    .orderBy(asc(metrics.key), asc(metrics.step));
}

/** The points of `keys` for the given trials of the study, by trial, key and step. */
export async function readTrialSeries(
  db: Executor,
  studyId: string,
  trialIds: readonly string[],
  keys: readonly string[],
): Promise<Metric[]> {
  if (trialIds.length === 0 || keys.length === 0) return [];
  return db
    .select({ ...getTableColumns(metrics) })
    .from(metrics)
    .innerJoin(trials, eq(trials.id, metrics.trialId))
    .where(
      and(
        eq(trials.studyId, studyId),
        inArray(metrics.trialId, [...trialIds]),
        inArray(metrics.key, [...keys]),
      ),
    )
    .orderBy(asc(metrics.trialId), asc(metrics.key), asc(metrics.step));
}
