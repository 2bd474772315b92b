import { median } from "@attune/core/tuning";
import { listRunners, type RunnerThroughput, runnerThroughput } from "@attune/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { projectId } from "../inputs.ts";
import { authedProcedure, teamProcedure } from "../trpc.ts";

/**
 * The speed to price a trial at: the median runner among the live measured ones (a trial may land
 * on any of them), else among the team's recent ones, which may be back for the next study.
 */
function fleetSpeed(runners: RunnerThroughput[]) {
  for (const basis of ["live", "recent"] as const) {
    const speeds = runners
      .filter((runner) => (basis === "live" ? runner.alive : runner.trainedForTeam))
      .flatMap((runner) => (runner.flopsPerSecond === null ? [] : [runner.flopsPerSecond]));
    if (speeds.length > 0) return { basis, flopsPerSecond: median(speeds), runners: speeds.length };
  }
  return { basis: "none" as const, flopsPerSecond: null, runners: 0 };
}

export const runnersRouter = {
  /** The runners every team's studies share, newest heartbeat first, each with whether it is alive. */
  list: authedProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(500).default(100) }).prefault({}))
    .query(({ ctx, input }) => listRunners(ctx.db, input.limit)),

  /**
   * How fast the runners this project's team trains on are, measured in FLOP/s on their latest
   * trials (runnerThroughput says which runners), and the one speed advice prices trials at.
   */
  throughput: teamProcedure("viewer", z.strictObject({ projectId })).query(async ({ ctx }) => {
    const runners = await runnerThroughput(ctx.db, ctx.team.id);
    return { ...fleetSpeed(runners), measured: runners };
  }),
} satisfies TRPCRouterRecord;
