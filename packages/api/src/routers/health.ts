import { readHealth } from "@attune/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { authedProcedure, noInput } from "../trpc.ts";

export const healthRouter = {
  /**
   * The database, its migrations, the job queue and the runners seen, for signed-in users and API
   * keys; anonymous callers get only /api/health's up or down.
   */
  detail: authedProcedure.input(noInput).query(({ ctx }) => readHealth(ctx.db)),
} satisfies TRPCRouterRecord;
