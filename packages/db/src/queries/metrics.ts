// Metric points of trials: (trial, key, step) -> value.
import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { metrics } from "../schema/index.ts";

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

/**
 * Each of the keys' latest point at or before `step`: the trial's values as they stood then (at a
 * checkpoint's step, say). A key with no point by then is left out.
 */
export async function metricsAsOf(
  db: Executor,
  trialId: string,
  /** Every key the trial reported when undefined. */
  keys: readonly string[] | undefined,
  step: number,
): Promise<Metric[]> {
  if (keys?.length === 0) return [];
  return db
    .selectDistinctOn([metrics.key])
    .from(metrics)
    .where(
      and(
        eq(metrics.trialId, trialId),
        keys === undefined ? undefined : inArray(metrics.key, [...keys]),
        lte(metrics.step, step),
      ),
    )
    .orderBy(asc(metrics.key), desc(metrics.step));
}

/** One kept point of a trial's series, as readTrialCurves returns it. */
export interface CurvePointRow {
  trialId: string;
  key: string;
  step: number;
  value: number;
}

/**
 * The series of `keys` for the given trials of the study (all of its trials when `trialIds` is
 * undefined), by trial, key and step, each thinned in the database to at most `maxPoints` points: a
 * longer series is cut into maxPoints / 2 buckets of consecutive points, each kept as its lowest and
 * its highest point (the first of equal ones; NaN counts as highest), in step order. Unlike
 * averaging or striding this keeps spikes and divergences visible, which is what people look for in
 * a loss curve. A series of at most `maxPoints` comes whole. Trials of other studies are left out.
 *
 * Thinning in the database rather than in the API means it sends a few hundred points per series
 * instead of every point: for 100 trials of 1,000 points it more than halves the time of the call.
 */
export async function readTrialCurves(
  db: Executor,
  studyId: string,
  trialIds: readonly string[] | undefined,
  keys: readonly string[],
  maxPoints: number,
): Promise<CurvePointRow[]> {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new Error(`maxPoints must be a whole number of at least 2, got ${maxPoints}`);
  }
  if (trialIds?.length === 0 || keys.length === 0) return [];
  const buckets = Math.floor(maxPoints / 2);
  const chosen = sql.param(trialIds ? [...trialIds] : null);
  // Each series is read on its own (the lateral join) in the primary key's order, so the window
  // functions sort a thousand rows in memory rather than every row of the call at once. A point at
  // position i (from 0) of n is in bucket ceil((i + 1) * buckets / n) - 1: the bucket b whose range
  // [floor(b * n / buckets), floor((b + 1) * n / buckets)) holds i.
  const result = await db.execute<{ trial_id: string; key: string; step: number; value: number }>(
    sql`
      select series.trial_id, series.key, kept.step, kept.value
      from (
        select trials.id as trial_id, wanted.key
        from trials cross join unnest(${sql.param([...keys])}::text[]) as wanted(key)
        where trials.study_id = ${studyId}
          and (${chosen}::uuid[] is null or trials.id = any(${chosen}::uuid[]))
      ) as series
      cross join lateral (
        select step, value
        from (
          select step, value,
            row_number() over (partition by bucket order by value, position) as low_rank,
            row_number() over (partition by bucket order by value desc, position) as high_rank
          from (
            select step, value, position,
              case when total <= ${maxPoints} then position
                else ((position + 1) * ${buckets} + total - 1) / total - 1 end as bucket
            from (
              select step, value,
                row_number() over (order by step) - 1 as position,
                count(*) over () as total
              from metrics
              where metrics.trial_id = series.trial_id and metrics.key = series.key
            ) as positioned
          ) as bucketed
        ) as ranked
        where low_rank = 1 or high_rank = 1
      ) as kept
      order by series.trial_id, series.key, kept.step`,
  );
  return result.rows.map((row) => ({
    trialId: row.trial_id,
    key: row.key,
    step: row.step,
    value: row.value,
  }));
}

/** One metric of one trial, summarised over its points. */
export interface MetricSummary {
  trialId: string;
  key: string;
  /** The value at the highest step. */
  last: number;
  /** The harmonic mean of the points: the mean rate when each point is a rate over equal work. */
  harmonicMean: number;
}

/**
 * Each of `keys` summarised for the given trials of the study (trials of other studies are left
 * out), computed in the database so that a series of every step is never sent: what a study's
 * measured constraints read (packages/core's measuredValues says which summary each key takes).
 */
export async function readMetricSummaries(
  db: Executor,
  studyId: string,
  trialIds: readonly string[],
  keys: readonly string[],
): Promise<MetricSummary[]> {
  if (trialIds.length === 0 || keys.length === 0) return [];
  const result = await db.execute<{
    trial_id: string;
    key: string;
    last: number;
    harmonic_mean: number | null;
  }>(sql`
    select metrics.trial_id, metrics.key,
      (array_agg(metrics.value order by metrics.step desc))[1] as last,
      count(*) / sum(1 / nullif(metrics.value, 0)) as harmonic_mean
    from metrics join trials on trials.id = metrics.trial_id
    where trials.study_id = ${studyId}
      and metrics.trial_id = any(${sql.param([...trialIds])}::uuid[])
      and metrics.key = any(${sql.param([...keys])}::text[])
    group by metrics.trial_id, metrics.key`);
  return result.rows.map((row) => ({
    trialId: row.trial_id,
    key: row.key,
    last: Number(row.last),
    harmonicMean: row.harmonic_mean === null ? Number.NaN : Number(row.harmonic_mean),
  }));
}
