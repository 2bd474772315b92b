import { paramValueSchema, seedSchema } from "@attune/core/spec";
import {
  parseStrategyRequest,
  type StrategyKind,
  strategyOptionsSchemas,
} from "@attune/core/trial";
import { createStrategyRun, getDataset, getStrategyRun, listStrategyRuns } from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { datasetId, projectId } from "../inputs.ts";
import { modelProblem } from "../models/start-model.ts";
import { notFound, teamProcedure } from "../trpc.ts";

const strategyRunId = z.uuid();

/** A request for one run of the `kind` strategy on a dataset, with that strategy's options. */
function strategyRequestOf<K extends StrategyKind>(kind: K) {
  return z.strictObject({
    datasetId,
    kind: z.literal(kind),
    options: (strategyOptionsSchemas[kind] as z.ZodType).prefault({}),
    /** A trial's flat settings (model, optimizer, batches) the strategy trains with. */
    trial: z.record(z.string().max(100), paramValueSchema).optional(),
    /**
     * A ready model of the dataset's project, by name or id, to start from instead of random
     * weights, as a study's `model`: the trial settings leave its architecture and tokenizer to it.
     */
    model: z.string().min(1).max(200).optional(),
    seed: seedSchema.optional(),
  });
}

const strategyRequest = z.discriminatedUnion("kind", [
  strategyRequestOf("lr-range-test"),
  strategyRequestOf("batch-size-cross-validation"),
  strategyRequestOf("batch-size-sweep"),
  strategyRequestOf("gradient-noise-scale"),
]);

/** The settings a runner will run with, checked as it will check them. */
function checkedSettings({ kind, options, trial, model, seed }: z.output<typeof strategyRequest>) {
  try {
    return parseStrategyRequest(kind, { options, trial, model, seed });
  } catch (error) {
    throw new TRPCError({ code: "BAD_REQUEST", message: (error as Error).message, cause: error });
  }
}

export const strategiesRouter = {
  /**
   * Queues an LR range test or a batch-size strategy on one of the project's datasets, from
   * random weights or from one of its models; a runner picks it up as a job of its own. The trial
   * settings and the model are checked now, as the runner will.
   */
  create: teamProcedure("member", strategyRequest).mutation(async ({ ctx, input }) => {
    const dataset = await getDataset(ctx.db, input.datasetId);
    if (!dataset) throw notFound("dataset", input.datasetId);
    const { kind, ...settings } = checkedSettings(input);
    const problem = input.model && (await modelProblem(ctx.db, dataset.projectId, input.model));
    if (problem) throw new TRPCError({ code: "BAD_REQUEST", message: `model: ${problem}` });
    const queue = await ctx.jobQueue();
    return audited(
      ctx,
      (tx) =>
        createStrategyRun(tx, queue, {
          projectId: dataset.projectId,
          datasetId: dataset.id,
          kind,
          settings,
          createdBy: ctx.identity.userId,
        }),
      (run) => ({
        teamId: ctx.team.id,
        action: "strategy.create",
        targetType: "strategyRun",
        targetId: run.id,
        details: { kind, datasetId: dataset.id, ...(input.model && { model: input.model }) },
      }),
    );
  }),

  /** The project's strategy runs, newest first. */
  list: teamProcedure("viewer", z.strictObject({ projectId })).query(({ ctx, input }) =>
    listStrategyRuns(ctx.db, input.projectId),
  ),

  /** One run with its status and, once completed, its result. */
  get: teamProcedure("viewer", z.strictObject({ projectId, strategyRunId })).query(
    async ({ ctx, input }) => {
      const run = await getStrategyRun(ctx.db, input.strategyRunId);
      // A run of another project reads as missing, as one of another team does.
      if (run?.projectId !== input.projectId) throw notFound("strategy run", input.strategyRunId);
      return run;
    },
  ),
} satisfies TRPCRouterRecord;
