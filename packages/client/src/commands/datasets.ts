// `attune datasets`: a project's training text, uploaded from a file and listed.
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { RouterInputs } from "@attune/api";
import { connect, defineCommand, required } from "../command.ts";
import { table } from "../output.ts";

export const datasetCommands = [
  defineCommand({
    name: "datasets upload",
    args: ["file"],
    options: {
      project: { type: "string" },
      name: { type: "string" },
      tokenizer: { type: "string", default: "char" },
    },
    usage: "--project <id> [--name <name>] [--tokenizer char|byte|gpt2]",
    async run({ args: [file], options, output }) {
      const client = await connect();
      const dataset = await client.datasets.upload.mutate({
        projectId: required(options.project, "--project"),
        name: options.name ?? basename(file, extname(file)),
        format: extname(file) === ".jsonl" ? "jsonl" : "text",
        // The server checks the choice and names the valid ones.
        tokenizer: options.tokenizer as RouterInputs["datasets"]["upload"]["tokenizer"],
        content: await readFile(file, "utf8"),
        fileName: basename(file),
      });
      output.emit(dataset, (created) => `uploaded dataset ${created.name}: ${created.id}`);
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
              ["ID", "NAME", "FORMAT", "TOKENIZER", "BYTES", "SAMPLES", "TOKENS"],
              ...rows.map((dataset) => [
                dataset.id,
                dataset.name,
                dataset.format,
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
