import { desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { runners, strategyRuns, trials } from "../schema/index.ts";
import { single } from "./shared.ts";

export type Runner = typeof runners.$inferSelect;
export type NewRunner = Omit<
  typeof runners.$inferInsert,
  "id" | "status" | "startedAt" | "lastHeartbeatAt" | "stoppedAt"
>;

/** A runner whose last heartbeat is older than this is taken as gone, and its trials as orphaned. */
export const RUNNER_HEARTBEAT_TIMEOUT_MS = 30_000;

export async function registerRunner(db: Executor, runner: NewRunner): Promise<Runner> {
  const rows = await db.insert(runners).values(runner).returning();
  return single(rows, `registering runner ${runner.name} on ${runner.host} returned no row`);
}

/** Records that the runner is alive; returns false if its row is gone (it must register again). */
export async function heartbeatRunner(db: Executor, id: string): Promise<boolean> {
  const rows = await db
    .update(runners)
    .set({ lastHeartbeatAt: sql`now()`, status: "online" })
    .where(eq(runners.id, id))
    .returning({ id: runners.id });
  return rows.length === 1;
}

export async function markRunnerOffline(db: Executor, id: string): Promise<void> {
  await db
    .update(runners)
    .set({ status: "offline", stoppedAt: sql`now()` })
    .where(eq(runners.id, id));
}

/** Online and heartbeating within the timeout, judged by the database's clock. */
const isAlive = sql<boolean>`${runners.status} <> 'offline' and ${runners.lastHeartbeatAt} > now() - make_interval(secs => ${RUNNER_HEARTBEAT_TIMEOUT_MS / 1000})`;

/** Trial slots of the live runners: the sum of their capacities. */
export async function liveRunnerSlots(db: Executor): Promise<number> {
  const [row] = await db
    .select({ slots: sql<number>`coalesce(sum(${runners.capacity}), 0)::int` })
    .from(runners)
    .where(isAlive);
  return row?.slots ?? 0;
}

export interface RunnerView extends Runner {
  /** Online and heartbeating within the timeout. */
  alive: boolean;
  /** Trials this runner is training now (running, claimed by it); at most its capacity. */
  currentTrials: number;
  /** Strategy runs (LR range tests, batch-size searches) it is running now. */
  currentStrategyRuns: number;
}

/**
 * Runners, newest first, each with whether it is alive judged by the database's clock and what it
 * is working on now.
 */
export async function listRunners(db: Executor, limit = 100): Promise<RunnerView[]> {
  const runningTrials = db
    .select({ runnerId: trials.runnerId, trials: sql<number>`count(*)::int`.as("trials") })
    .from(trials)
    .where(eq(trials.state, "running"))
    .groupBy(trials.runnerId)
    .as("running_trials");
  const runningStrategies = db
    .select({
      runnerId: strategyRuns.runnerId,
      strategyRuns: sql<number>`count(*)::int`.as("strategy_runs"),
    })
    .from(strategyRuns)
    .where(eq(strategyRuns.status, "running"))
    .groupBy(strategyRuns.runnerId)
    .as("running_strategies");
  const rows = await db
    .select({
      runner: runners,
      alive: isAlive,
      currentTrials: sql<number>`coalesce(${runningTrials.trials}, 0)`,
      currentStrategyRuns: sql<number>`coalesce(${runningStrategies.strategyRuns}, 0)`,
    })
    .from(runners)
    .leftJoin(runningTrials, eq(runningTrials.runnerId, runners.id))
    .leftJoin(runningStrategies, eq(runningStrategies.runnerId, runners.id))
    .orderBy(desc(runners.lastHeartbeatAt))
    .limit(limit);
  return rows.map(({ runner, ...current }) => ({ ...runner, ...current }));
}

/** One runner with whether it is alive. */
export async function getRunner(
  db: Executor,
  id: string,
): Promise<(Runner & { alive: boolean }) | undefined> {
  const [row] = await db
    .select({ runner: runners, alive: isAlive })
    .from(runners)
    .where(eq(runners.id, id));
  return row && { ...row.runner, alive: row.alive };
}

/** How a runner's speed was measured: the FLOP/s of its latest trials. */
export interface RunnerThroughput {
  runnerId: string;
  name: string;
  backend: string;
  device: string;
  alive: boolean;
  /** It trained one of the team's trials within THROUGHPUT_TEAM_DAYS. */
  trainedForTeam: boolean;
  /** Trials measured: its latest finished ones that stored flops_per_token, at most 20. */
  measuredTrials: number;
  /** The median over them of tokens_per_s (each trial's median step) × flops_per_token. */
  flopsPerSecond: number | null;
}

/** A runner that trained the team's trials this recently counts as one of the team's runners. */
export const THROUGHPUT_TEAM_DAYS = 30;
const THROUGHPUT_TRIALS = 20;

/**
 * The measured speed of the runners a team's next trial may train on: every live runner, and the
 * runners that trained the team's trials recently (a runner may be down between studies). Runners
 * are shared by all teams and their speed is no team's business, so each is measured on its latest
 * trials of any team; only FLOP/s comes back, nothing of those trials.
 *
 * FLOP/s rather than tokens/s: it carries over between model sizes (core's trialCost prices any
 * setting with it). Each trial's median step counts, so its first, slow step does not. Live runners
 * come first, then by latest heartbeat.
 */
export async function runnerThroughput(db: Executor, teamId: string): Promise<RunnerThroughput[]> {
  const result = await db.execute<{
    id: string;
    name: string;
    backend: string;
    device: string;
    alive: boolean;
    trained_for_team: boolean;
    measured_trials: number;
    flops_per_second: number | null;
  }>(sql`
    with team_runners as (
      select distinct trials.runner_id
      from trials
        join studies on studies.id = trials.study_id
        join projects on projects.id = studies.project_id
      where projects.team_id = ${teamId} and trials.runner_id is not null
        and trials.finished_at > now() - make_interval(days => ${THROUGHPUT_TEAM_DAYS})
    ),
    chosen as (
      select runners.id, runners.id in (select runner_id from team_runners) as trained_for_team,
        ${isAlive} as alive
      from runners
    ),
    recent as (
      select trials.id, trials.runner_id, size.flops_per_token,
        row_number() over (partition by trials.runner_id order by trials.finished_at desc) as recency
      from trials
        cross join lateral (
          select max(value) as flops_per_token from metrics
          where metrics.trial_id = trials.id and metrics.key = 'flops_per_token'
        ) as size
      where trials.runner_id in (select id from chosen where alive or trained_for_team)
        and trials.finished_at is not null and size.flops_per_token is not null
    ),
    measured as (
      select recent.runner_id, speed.tokens_per_s * recent.flops_per_token as flops_per_second
      from recent
        cross join lateral (
          select percentile_cont(0.5) within group (order by value) as tokens_per_s from metrics
          where metrics.trial_id = recent.id and metrics.key = 'tokens_per_s'
        ) as speed
      where recent.recency <= ${THROUGHPUT_TRIALS} and speed.tokens_per_s is not null
    )
    select runners.id, runners.name, runners.backend, runners.device, chosen.alive,
      chosen.trained_for_team, count(measured.flops_per_second)::int as measured_trials,
      percentile_cont(0.5) within group (order by measured.flops_per_second) as flops_per_second
    from runners
      join chosen on chosen.id = runners.id and (chosen.alive or chosen.trained_for_team)
      left join measured on measured.runner_id = runners.id
    group by runners.id, chosen.alive, chosen.trained_for_team
    order by chosen.alive desc, runners.last_heartbeat_at desc`);
  return result.rows.map((row) => ({
    runnerId: row.id,
    name: row.name,
    backend: row.backend,
    device: row.device,
    alive: row.alive,
    trainedForTeam: row.trained_for_team,
    measuredTrials: row.measured_trials,
    flopsPerSecond: row.flops_per_second,
  }));
}
