import { storedDatasetSource } from "@attune/control";
import { type BuiltinCorpusName, builtinCorpora, DatasetError } from "@attune/core/data";
import { sequenceLengthFromData, sequenceLengthPresets } from "@attune/core/tuning";
import {
  createDataset,
  DATASET_MAX_BYTES,
  datasetFormat,
  getDataset,
  listDatasets,
  tokenizerKind,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import type {
  AnalysisRequest,
  AnalysisResult,
  AnalysisTask,
} from "../dataset-analysis/analysis.ts";
import { analyseOffThread } from "../dataset-analysis/off-thread.ts";
import { datasetId, displayName, lineOfText, projectId } from "../inputs.ts";
import { authedProcedure, noInput, notFound, teamProcedure } from "../trpc.ts";

const MAX_MIB = DATASET_MAX_BYTES / 1024 / 1024;

/** The uploaded text, up to the database's limit in UTF-8 bytes. */
const content = z
  .string()
  // A UTF-16 length over the limit is over it in bytes too: refused before any counting.
  .max(DATASET_MAX_BYTES, { message: `must be at most ${MAX_MIB} MiB`, abort: true })
  .refine((text) => Buffer.byteLength(text, "utf8") <= DATASET_MAX_BYTES, {
    message: `must be at most ${MAX_MIB} MiB in UTF-8`,
  });

const tokenizer = z.enum(tokenizerKind.enumValues);
const corpusNames = builtinCorpora.map((corpus) => corpus.name) as [
  BuiltinCorpusName,
  ...BuiltinCorpusName[],
];

const uploadInput = z.strictObject({
  projectId,
  name: displayName,
  format: z.enum(datasetFormat.enumValues),
  tokenizer,
  content,
  /** The file the text came from, kept as the dataset's origin. */
  fileName: lineOfText(255).optional(),
});

/** The analysis, run off the request thread; content that does not parse is a BAD_REQUEST. */
async function analysed<Task extends AnalysisTask>(
  request: AnalysisRequest<Task>,
): Promise<AnalysisResult<Task>> {
  try {
    return await analyseOffThread(request);
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `content: ${error.message}`,
        cause: error,
      });
    }
    throw error;
  }
}

export const datasetsRouter = {
  /** Stores plain text or JSONL after parsing it, with its statistics under the tokenizer. */
  upload: teamProcedure("member", uploadInput).mutation(async ({ ctx, input }) => {
    const { statistics } = await analysed({
      task: "statistics",
      source: {
        bytes: new TextEncoder().encode(input.content),
        format: input.format,
        maxBytes: DATASET_MAX_BYTES,
      },
      tokenizer: input.tokenizer,
    });
    return audited(
      ctx,
      (tx) =>
        createDataset(tx, {
          projectId: input.projectId,
          name: input.name,
          source: "upload",
          origin: input.fileName ?? input.name,
          format: input.format,
          tokenizer: input.tokenizer,
          content: input.content,
          statistics,
          createdBy: ctx.identity.userId,
        }),
      (created) => ({
        teamId: ctx.team.id,
        action: "dataset.upload",
        targetType: "dataset",
        targetId: created.id,
        details: { name: created.name, sizeBytes: created.sizeBytes },
      }),
    );
  }),

  /** The corpora that ship with Attune, to add with addBuiltin. */
  corpora: authedProcedure.input(noInput).query(() => builtinCorpora),

  addBuiltin: teamProcedure(
    "member",
    z.strictObject({
      projectId,
      corpus: z.enum(corpusNames),
      tokenizer,
      /** Absent: the corpus's name. */
      name: displayName.optional(),
    }),
  ).mutation(async ({ ctx, input }) => {
    const { format, statistics } = await analysed({
      task: "statistics",
      source: { corpus: input.corpus },
      tokenizer: input.tokenizer,
    });
    return audited(
      ctx,
      (tx) =>
        createDataset(tx, {
          projectId: input.projectId,
          name: input.name ?? input.corpus,
          source: "builtin",
          origin: input.corpus,
          format,
          tokenizer: input.tokenizer,
          content: "",
          statistics,
          createdBy: ctx.identity.userId,
        }),
      (created) => ({
        teamId: ctx.team.id,
        action: "dataset.add-builtin",
        targetType: "dataset",
        targetId: created.id,
        details: { name: created.name, corpus: input.corpus },
      }),
    );
  }),

  list: teamProcedure("viewer", z.strictObject({ projectId })).query(({ ctx, input }) =>
    listDatasets(ctx.db, input.projectId),
  ),

  /** The dataset without its content, with the statistics computed when it was added. */
  get: teamProcedure("viewer", z.strictObject({ datasetId })).query(async ({ ctx, input }) => {
    const dataset = await getDataset(ctx.db, input.datasetId);
    if (!dataset) throw notFound("dataset", input.datasetId);
    return dataset;
  }),

  /**
   * The sequence length that covers `percentile`% of the samples, with what shorter and longer
   * lengths would cost. A dataset of one document has no sample lengths to measure: it gets the
   * preset for its task instead.
   */
  recommendSequenceLength: teamProcedure(
    "viewer",
    z.strictObject({
      datasetId,
      percentile: z.number().gt(0).max(100).default(95),
      rounding: z.enum(["multiple-of-8", "power-of-two"]).default("multiple-of-8"),
    }),
  ).query(async ({ ctx, input }) => {
    const meta = await getDataset(ctx.db, input.datasetId);
    if (!meta) throw notFound("dataset", input.datasetId);
    const preset = { basis: "preset" as const, ...sequenceLengthPresets.generation };
    // Known without reading: the sample count is in the statistics.
    if (meta.statistics && meta.statistics.samples < 2) return preset;
    const lengths = await analysed({
      task: "sample-token-lengths",
      source: await storedDatasetSource(ctx.db, meta),
      tokenizer: meta.tokenizer,
    });
    if (lengths.length < 2) return preset;
    return {
      basis: "data" as const,
      ...sequenceLengthFromData(lengths, {
        percentile: input.percentile,
        rounding: input.rounding,
      }),
    };
  }),
} satisfies TRPCRouterRecord;
