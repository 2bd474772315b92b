// What a dataset upload is given, and which task each format may declare: one schema for the
// datasets.upload procedure and the web app's upload form, so it is free of server code.
import {
  DATASET_FORMATS,
  DATASET_TASKS,
  type DatasetTask,
  type StoredDatasetFormat,
  TOKENIZER_KINDS,
} from "@attune/db/dataset-kinds";
import { DATASET_MAX_BYTES } from "@attune/db/limits";
import { z } from "zod";
import { displayName, lineOfText, projectId } from "./inputs.ts";

const MAX_MIB = DATASET_MAX_BYTES / 1024 / 1024;

/** The uploaded text, up to the database's limit in UTF-8 bytes. */
const content = z
  .string()
  // A UTF-16 length over the limit is over it in bytes too: refused before any counting.
  .max(DATASET_MAX_BYTES, { message: `must be at most ${MAX_MIB} MiB`, abort: true })
  .refine((text) => new TextEncoder().encode(text).length <= DATASET_MAX_BYTES, {
    message: `must be at most ${MAX_MIB} MiB in UTF-8`,
  });

const column = lineOfText(200);

/**
 * The CSV columns to read, by what the file holds: a text column (and maybe a label), prompt and
 * completion columns, or chats: a column of JSON message arrays, or one exchange per row in user,
 * assistant and maybe system columns.
 */
export const csvColumns = z.union(
  [
    z.strictObject({ text: column, label: column.optional() }),
    z.strictObject({ prompt: column, completion: column }),
    z.strictObject({ messages: column }),
    z.strictObject({ user: column, assistant: column, system: column.optional() }),
  ],
  {
    error:
      "the columns are text (and label), prompt and completion, messages, or user and assistant (and system)",
  },
);
export type CsvColumns = z.infer<typeof csvColumns>;

export const tokenizerKind = z.enum(TOKENIZER_KINDS);
export const datasetTask = z.enum(DATASET_TASKS);

/** The tasks a stored format can serve; the first is the one a dataset declares by default. */
export const TASKS_OF_FORMAT: Record<StoredDatasetFormat, readonly DatasetTask[]> = {
  text: ["language-modelling"],
  jsonl: ["language-modelling", "classification"],
  "prompt-completion": ["instruction"],
  chat: ["dialogue"],
};

/** The format a CSV file is stored in once its columns are read. */
export function csvStoredFormat(columns: CsvColumns): StoredDatasetFormat {
  if ("text" in columns) return "jsonl";
  return "prompt" in columns ? "prompt-completion" : "chat";
}

export const datasetUploadInput = z
  .strictObject({
    projectId,
    name: displayName,
    /** How `content` is read: a stored format, or CSV with `columns`, stored as JSONL. */
    format: z.enum([...DATASET_FORMATS, "csv"]),
    columns: csvColumns.optional(),
    /** Absent: the format's usual task (classification for labelled JSONL). */
    task: datasetTask.optional(),
    tokenizer: tokenizerKind,
    content,
    /** The file the text came from, kept as the dataset's origin. */
    fileName: lineOfText(255).optional(),
  })
  .superRefine((input, context) => {
    if (input.format === "csv" && input.columns === undefined) {
      context.addIssue({ code: "custom", path: ["columns"], message: "CSV needs its columns" });
      return;
    }
    if (input.format !== "csv" && input.columns !== undefined) {
      context.addIssue({ code: "custom", path: ["columns"], message: "columns are for CSV only" });
      return;
    }
    const stored = input.columns
      ? csvStoredFormat(input.columns)
      : (input.format as StoredDatasetFormat);
    const tasks = TASKS_OF_FORMAT[stored];
    if (input.task !== undefined && !tasks.includes(input.task)) {
      context.addIssue({
        code: "custom",
        path: ["task"],
        message: `${stored} data serves ${tasks.join(" or ")}, not ${input.task}`,
      });
    }
  });
export type DatasetUploadInput = z.infer<typeof datasetUploadInput>;

/**
 * The task a parsed upload declares: the one asked for, or its format's usual one. Classification
 * needs labels, which only parsing finds: the reason is returned when they are missing.
 */
export function declaredTask(
  format: StoredDatasetFormat,
  labelled: boolean,
  asked: DatasetTask | undefined,
): { task: DatasetTask } | { problem: string } {
  if (asked === "classification" && !labelled) {
    return { problem: 'classification needs a "label" on every sample, and there is none' };
  }
  if (asked !== undefined) return { task: asked };
  return {
    task:
      format === "jsonl" && labelled
        ? "classification"
        : (TASKS_OF_FORMAT[format][0] as DatasetTask),
  };
}
