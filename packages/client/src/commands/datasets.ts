// `attune datasets`: a project's training data (text, labelled samples, prompt/completion pairs or
// chats), uploaded from a file and listed.
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { RouterInputs } from "@attune/api";
import { connect, defineCommand, required, UsageError } from "../command.ts";
import { table } from "../output.ts";

type UploadInput = RouterInputs["datasets"]["upload"];

/** The format a file is read in when --format is not given, by its extension. */
function formatOfFile(file: string): UploadInput["format"] {
  const extension = extname(file).toLowerCase();
  if (extension === ".jsonl" || extension === ".ndjson") return "jsonl";
  return extension === ".csv" ? "csv" : "text";
}

/** `prompt=question,completion=answer`: the field each CSV column is read as. */
function parseColumns(value: string): Record<string, string> {
  const pairs = value.split(",").map((pair) => {
    const [field, column, ...rest] = pair.split("=");
    if (!field?.trim() || !column?.trim() || rest.length > 0) {
      throw new UsageError(`--columns takes field=column pairs separated by commas, not "${pair}"`);
    }
    return [field.trim(), column.trim()] as const;
  });
  return Object.fromEntries(pairs);
}

export const datasetCommands = [
  defineCommand({
    name: "datasets upload",
    args: ["file"],
    options: {
      project: { type: "string" },
      name: { type: "string" },
      tokenizer: { type: "string", default: "char" },
      format: { type: "string" },
      task: { type: "string" },
      columns: { type: "string" },
    },
    usage:
      "--project <id> [--name <name>] [--tokenizer char|byte|gpt2] [--format text|jsonl|prompt-completion|chat|csv] [--task language-modelling|classification|instruction|dialogue] [--columns <field>=<column>,...]",
    details: [
      "--format: by the file's extension when absent (.jsonl: jsonl text samples, .csv: csv, else text)",
      "--columns: a CSV file's columns, read as text[,label], prompt,completion, messages (JSON arrays) or user,assistant[,system]",
      "  e.g. --columns prompt=question,completion=answer",
      "--task: the format's usual task when absent (classification for labelled samples)",
    ],
    async run({ args: [file], options, output }) {
      const format = (options.format ?? formatOfFile(file)) as UploadInput["format"];
      if (format === "csv" && options.columns === undefined) {
        throw new UsageError("a CSV file needs --columns, e.g. --columns text=body,label=kind");
      }
      const client = await connect();
      const dataset = await client.datasets.upload.mutate({
        projectId: required(options.project, "--project"),
        name: options.name ?? basename(file, extname(file)),
        // The server checks each choice and names the valid ones.
        format,
        task: options.task as UploadInput["task"],
        columns:
          options.columns === undefined
            ? undefined
            : (parseColumns(options.columns) as UploadInput["columns"]),
        tokenizer: options.tokenizer as UploadInput["tokenizer"],
        content: await readFile(file, "utf8"),
        fileName: basename(file),
      });
      output.emit(
        dataset,
        (created) =>
          `uploaded dataset ${created.name} (${created.format}, for ${created.task}): ${created.id}`,
      );
    },
  }),

  defineCommand({
    name: "datasets list",
    args: [],
    options: { project: { type: "string" } },
    usage: "--project <id>",
    async run({ options, output }) {
      const projectId = required(options.project, "--project");
      const client = await connect();
      const datasets = await client.datasets.list.query({ projectId });
      output.emit(datasets, (rows) =>
        rows.length === 0
          ? `project ${projectId} has no datasets yet`
          : table([
              ["ID", "NAME", "FORMAT", "TASK", "TOKENIZER", "BYTES", "SAMPLES", "TOKENS"],
              ...rows.map((dataset) => [
                dataset.id,
                dataset.name,
                dataset.format,
                dataset.task,
                dataset.tokenizer,
                String(dataset.sizeBytes),
                String(dataset.statistics?.samples ?? "-"),
                String(dataset.statistics?.tokens ?? "-"),
              ]),
            ]),
      );
    },
  }),
];
