import { listRunners } from "@attune/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { authedProcedure } from "../trpc.ts";

export const runnersRouter = {
  /** The runners every team's studies share, newest heartbeat first, each with whether it is alive. */
  list: authedProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(500).default(100) }).prefault({}))
    .query(({ ctx, input }) => listRunners(ctx.db, input.limit)),
} satisfies TRPCRouterRecord;
