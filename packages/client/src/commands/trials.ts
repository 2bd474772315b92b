// `attune trials`: a study's trials, a page to read or every one of them to export; and a trial's
// model as a Hugging Face folder.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { RouterInputs, RouterOutputs } from "@attune/api";
import { connect, defineCommand, login, numberOption, UsageError } from "../command.ts";
import type { AttuneClient } from "../index.ts";
import { type CheckpointKind, downloadModelExport } from "../model-export.ts";
import { csv, table } from "../output.ts";

type TrialListInput = RouterInputs["trials"]["list"];
type Trial = RouterOutputs["trials"]["list"]["trials"][number];

/** The most trials.list returns at once. */
const PAGE_SIZE = 500;

async function allTrials(client: AttuneClient, studyId: string): Promise<Trial[]> {
  const trials: Trial[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await client.trials.list.query({ studyId, limit: PAGE_SIZE, offset });
    trials.push(...page.trials);
    offset = page.nextOffset;
  }
  return trials;
}

const cell = (value: unknown): string =>
  value === null || value === undefined
    ? ""
    : value instanceof Date
      ? value.toISOString()
      : String(value);

/**
 * One row per trial, one column per parameter (`params.lr`, in the order they first appear; a
 * conditional parameter is empty where a trial does not have it) and per objective, named by its
 * metric (`values.val_loss`), so that the file opens as a sheet.
 */
function trialsCsv(trials: Trial[], objectives: string[]): string {
  const params = [...new Set(trials.flatMap((trial) => Object.keys(trial.params)))];
  return csv(
    [
      ["number", "id", "state"],
      params.map((name) => `params.${name}`),
      objectives.map((metric) => `values.${metric}`),
      ["lastStep", "startedAt", "finishedAt", "error"],
    ].flat(),
    trials.map((trial) =>
      [
        [trial.number, trial.id, trial.state],
        params.map((name) => trial.params[name]),
        objectives.map((_, index) => trial.values?.[index]),
        [trial.lastStep, trial.startedAt, trial.finishedAt, trial.error],
      ]
        .flat()
        .map(cell),
    ),
  );
}

const EXPORT_FORMATS = ["csv", "jsonl"] as const;
const CHECKPOINT_KINDS: readonly CheckpointKind[] = ["best", "last"];

export const trialCommands = [
  defineCommand({
    name: "trials",
    args: ["study id"],
    options: {
      state: { type: "string", multiple: true },
      sort: { type: "string", default: "number" },
      limit: { type: "string", default: "50" },
    },
    usage: "[--state <state>]... [--sort number|value|createdAt] [--limit <n>]",
    async run({ args: [studyId], options, output }) {
      const client = await connect();
      const page = await client.trials.list.query({
        studyId,
        // The server checks these and names the valid values.
        states: options.state as TrialListInput["states"],
        sortBy: options.sort as TrialListInput["sortBy"],
        limit: numberOption(options.limit, "--limit"),
      });
      output.emit(page, ({ trials, total }) =>
        [
          table([
            ["NUMBER", "STATE", "VALUE", "PARAMS"],
            ...trials.map((trial) => [
              `#${trial.number}`,
              trial.state,
              String(trial.values?.[0] ?? "-"),
              JSON.stringify(trial.params),
            ]),
          ]),
          `${trials.length} of ${total} trials`,
        ].join("\n"),
      );
    },
  }),

  defineCommand({
    name: "trials export",
    args: ["study id"],
    options: {
      format: { type: "string", default: "csv" },
      output: { type: "string", short: "o" },
    },
    usage: "[--format csv|jsonl] [-o <file>]",
    async run({ args: [studyId], options, output }) {
      const format = options.format;
      if (!EXPORT_FORMATS.some((known) => known === format)) {
        throw new UsageError(`--format must be ${EXPORT_FORMATS.join(" or ")}, not "${format}"`);
      }
      const client = await connect();
      const [study, trials] = await Promise.all([
        client.studies.get.query({ studyId }),
        allTrials(client, studyId),
      ]);
      const text =
        format === "csv"
          ? trialsCsv(
              trials,
              study.spec.objectives.map((objective) => objective.metric),
            )
          : trials.map((trial) => `${JSON.stringify(trial)}\n`).join("");
      if (!options.output) {
        // The export is the output; --json has nothing to add to it.
        process.stdout.write(text);
        return;
      }
      await writeFile(options.output, text);
      output.emit(
        { studyId, format, trials: trials.length, savedTo: options.output },
        (saved) => `${saved.trials} trials of study ${study.name} saved in ${saved.savedTo}`,
      );
    },
  }),

  defineCommand({
    name: "trials export-model",
    args: ["trial id"],
    options: {
      checkpoint: { type: "string", default: "best" },
      output: { type: "string", short: "o" },
      adapter: { type: "boolean", default: false },
    },
    usage: "[--checkpoint best|last] [--adapter] -o <dir>",
    details: [
      "Writes the checkpoint's model as a Hugging Face folder (config.json, model.safetensors, tokenizer files, generation_config.json, README.md) into <dir>, which transformers' from_pretrained loads. A LoRA trial's adapters are merged into the weights.",
      "--adapter: a LoRA trial's adapters alone, in PEFT's layout (adapter_config.json, adapter_model.safetensors, tokenizer files, README.md), which PEFT's PeftModel.from_pretrained loads onto the study's model.",
    ],
    async run({ args: [trialId], options, output }) {
      const kind = options.checkpoint;
      if (!CHECKPOINT_KINDS.some((known) => known === kind)) {
        throw new UsageError(`--checkpoint must be best or last, not "${kind}"`);
      }
      if (!options.output) throw new UsageError("-o <dir> is required: the folder to write");
      const folder = resolve(options.output);
      const files = await downloadModelExport(await login(), trialId, kind as CheckpointKind, {
        format: options.adapter ? "peft" : "merged",
      });
      for (const [name, bytes] of files) {
        const path = join(folder, name);
        // Names come from the server's zip: none may leave the folder.
        if (!path.startsWith(`${folder}/`))
          throw new Error(`the export holds an unsafe path "${name}"`);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, bytes);
      }
      output.emit(
        {
          trialId,
          checkpoint: kind,
          savedTo: folder,
          files: [...files].map(([name, bytes]) => ({ name, bytes: bytes.byteLength })),
        },
        (saved) =>
          `the ${saved.checkpoint} checkpoint of trial ${trialId} saved in ${saved.savedTo}: ${saved.files.map((file) => file.name).join(", ")}`,
      );
    },
  }),
];
