import { storedDatasetSource } from "@attune/control";
import {
  builtinCorpora,
  type CsvColumns,
  chatTemplateProblem,
  type DatasetSource,
  instructionCorpora,
  PLAIN_CHAT_TEMPLATE,
} from "@attune/core/data";
import { sequenceLengthFromData, sequenceLengthPresets } from "@attune/core/tuning";
import {
  createDataset,
  DATASET_MAX_BYTES,
  type DatasetMeta,
  type Executor,
  getDataset,
  getModel,
  listDatasets,
  type Model,
} from "@attune/db";
import type { DatasetTask } from "@attune/db/dataset-kinds";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { analysed } from "../dataset-analysis/analysed.ts";
import {
  datasetUploadInput,
  declaredTask,
  TASKS_OF_FORMAT,
  tokenizerKind,
} from "../dataset-inputs.ts";
import { datasetId, displayName, modelId, projectId } from "../inputs.ts";
import {
  modelTokenizerFiles,
  studiesFromModels,
  tokensUnderModel,
  unreadableTokenizer,
} from "../models/retokenization.ts";
import { authedProcedure, noInput, notFound, teamProcedure } from "../trpc.ts";

/** The built-in corpora, text and instruction data, with the task each serves. */
const corpora = [
  ...builtinCorpora,
  ...instructionCorpora.map(({ format, ...corpus }) => ({
    ...corpus,
    task: TASKS_OF_FORMAT[format][0] as "instruction",
  })),
];
type CorpusName = (typeof corpora)[number]["name"];

const corpusNames = [...builtinCorpora, ...instructionCorpora].map((corpus) => corpus.name) as [
  CorpusName,
  ...CorpusName[],
];

/** A model's chat template, as its tokenizer_config.json has it; checked to parse. */
const chatTemplate = z.strictObject({
  source: z
    .string()
    .max(100_000)
    .superRefine((source, context) => {
      const problem = chatTemplateProblem(source);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
  bosToken: z.string().max(100).default(""),
  eosToken: z.string().min(1).max(100).default(PLAIN_CHAT_TEMPLATE.eosToken),
});

/** A model of the dataset's project; NOT_FOUND for one of another project, as for none. */
async function datasetModel(
  db: Executor,
  dataset: Pick<DatasetMeta, "projectId">,
  id: string,
): Promise<Model> {
  const model = await getModel(db, id);
  if (model?.projectId !== dataset.projectId) throw notFound("model", id);
  return model;
}

export const datasetsRouter = {
  /**
   * Stores text, JSONL samples, prompt/completion pairs or chats after parsing them, with their
   * statistics under the tokenizer (instruction data rendered with the plain chat template). A CSV
   * file's chosen columns are stored as the JSONL of its format.
   */
  upload: teamProcedure("member", datasetUploadInput).mutation(async ({ ctx, input }) => {
    const bytes = new TextEncoder().encode(input.content);
    const source: DatasetSource =
      input.format === "csv"
        ? {
            bytes,
            format: "csv",
            columns: input.columns as CsvColumns,
            maxBytes: DATASET_MAX_BYTES,
          }
        : { bytes, format: input.format, maxBytes: DATASET_MAX_BYTES };
    const { format, statistics, jsonl } = await analysed({
      task: "statistics",
      source,
      tokenizer: input.tokenizer,
    });
    const declared = declaredTask(format, statistics.labelCounts !== undefined, input.task);
    if ("problem" in declared) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `task: ${declared.problem}` });
    }
    const content = jsonl ?? input.content;
    const storedBytes = jsonl === undefined ? bytes.length : Buffer.byteLength(jsonl, "utf8");
    if (storedBytes > DATASET_MAX_BYTES) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `content: as ${format} JSONL the CSV file is ${storedBytes} bytes, over the limit of ${DATASET_MAX_BYTES}`,
      });
    }
    return audited(
      ctx,
      (tx) =>
        createDataset(tx, {
          projectId: input.projectId,
          name: input.name,
          source: "upload",
          origin: input.fileName ?? input.name,
          format,
          task: declared.task,
          tokenizer: input.tokenizer,
          content,
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
  corpora: authedProcedure.input(noInput).query(() => corpora),

  addBuiltin: teamProcedure(
    "member",
    z.strictObject({
      projectId,
      corpus: z.enum(corpusNames),
      tokenizer: tokenizerKind,
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
          task: corpora.find((corpus) => corpus.name === input.corpus)?.task as DatasetTask,
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
   * An example of an instruction or dialogue dataset as a model trains on it: rendered with the
   * model's chat template (the plain one when none is given) and tokenized, in segments marking
   * the tokens the loss is on.
   */
  example: teamProcedure(
    "viewer",
    z.strictObject({
      datasetId,
      /** From 0, in the dataset's order; every example takes at least a byte. */
      index: z.int().min(0).max(DATASET_MAX_BYTES).default(0),
      chatTemplate: chatTemplate.optional(),
      /** Dialogue: the loss on every assistant turn, or only on the last. */
      assistantTurns: z.enum(["all", "last"]).default("all"),
    }),
  ).query(async ({ ctx, input }) => {
    const meta = await getDataset(ctx.db, input.datasetId);
    if (!meta) throw notFound("dataset", input.datasetId);
    if (meta.format !== "prompt-completion" && meta.format !== "chat") {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `dataset "${meta.name}" is ${meta.format} data for ${meta.task}: examples are rendered for instruction and dialogue data`,
      });
    }
    const examples = meta.statistics?.samples;
    if (examples !== undefined && input.index >= examples) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `index: dataset "${meta.name}" has ${examples} examples, numbered from 0`,
      });
    }
    return analysed({
      task: "example",
      source: await storedDatasetSource(ctx.db, meta),
      tokenizer: meta.tokenizer,
      chatTemplate: input.chatTemplate,
      assistantTurns: input.assistantTurns,
      example: input.index,
    });
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
      /** A model of the dataset's project: lengths in its tokens, as trials from it read them. */
      model: modelId.optional(),
    }),
  ).query(async ({ ctx, input }) => {
    const meta = await getDataset(ctx.db, input.datasetId);
    if (!meta) throw notFound("dataset", input.datasetId);
    const model =
      input.model === undefined ? undefined : await datasetModel(ctx.db, meta, input.model);
    const preset = { basis: "preset" as const, ...sequenceLengthPresets.generation };
    // Known without reading: the sample count is in the statistics.
    if (meta.statistics && meta.statistics.samples < 2) return preset;
    const lengths = await analysed({
      task: "sample-token-lengths",
      source: await storedDatasetSource(ctx.db, meta),
      tokenizer: meta.tokenizer,
      ...(model && { model: await modelTokenizerFiles(ctx.db, model) }),
    });
    if ("problem" in lengths) throw unreadableTokenizer(model as Model, lengths.problem);
    if (lengths.length < 2) return preset;
    return {
      basis: "data" as const,
      ...sequenceLengthFromData(lengths, {
        percentile: input.percentile,
        rounding: input.rounding,
      }),
    };
  }),

  /**
   * The project's studies on this dataset that start from a model: each trial re-tokenizes the
   * dataset with the model's tokenizer.
   */
  studiesFromModels: teamProcedure("viewer", z.strictObject({ datasetId })).query(
    async ({ ctx, input }) => {
      const meta = await getDataset(ctx.db, input.datasetId);
      if (!meta) throw notFound("dataset", input.datasetId);
      return studiesFromModels(ctx.db, meta);
    },
  ),

  /**
   * The dataset's tokens under a model's tokenizer (a model of the dataset's project), counted as
   * a trial starting from the model reads the dataset, with the tokenizer's vocabulary size.
   */
  tokensUnderModel: teamProcedure("viewer", z.strictObject({ datasetId, model: modelId })).query(
    async ({ ctx, input }) => {
      const meta = await getDataset(ctx.db, input.datasetId);
      if (!meta) throw notFound("dataset", input.datasetId);
      return tokensUnderModel(ctx.db, meta, await datasetModel(ctx.db, meta, input.model));
    },
  ),
} satisfies TRPCRouterRecord;
