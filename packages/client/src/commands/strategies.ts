// `attune strategies`: the tuning strategies a study does not search for, run on a dataset. The LR
// range test and the batch-size methods train, so a runner runs them as jobs of their own (--wait
// waits for the result); the sequence length is measured from the data at once.
import { readFile } from "node:fs/promises";
import type { RouterInputs, RouterOutputs } from "@attune/api";
import { parse } from "yaml";
import { connect, defineCommand, numberOption, required, UsageError } from "../command.ts";
import type { AttuneClient } from "../index.ts";
import { duration, type Output, StatusLine, table } from "../output.ts";
import { pollUntil } from "../poll.ts";

type StrategyRequest = RouterInputs["strategies"]["create"];
type StrategyRun = RouterOutputs["strategies"]["get"];
type SequenceLength = RouterOutputs["datasets"]["recommendSequenceLength"];

const STRATEGIES = ["lr-range-test", "batch-size", "sequence-length"] as const;
type Strategy = (typeof STRATEGIES)[number];

/** The ways to choose a batch size, each a strategy kind of the API. */
const BATCH_SIZE_METHODS = {
  "cross-validation": "batch-size-cross-validation",
  sweep: "batch-size-sweep",
  "gradient-noise-scale": "gradient-noise-scale",
} as const satisfies Record<string, StrategyRequest["kind"]>;

/** Cross-validation compares the candidates on held-out data, the fairest of the three. */
const DEFAULT_BATCH_SIZE_METHOD = "cross-validation";

/** Flags for the options set most often, each for one strategy's option of the same meaning. */
const OPTION_FLAGS = {
  "min-lr": { strategy: "lr-range-test", option: "minLr", number: true },
  "max-lr": { strategy: "lr-range-test", option: "maxLr", number: true },
  steps: { strategy: "lr-range-test", option: "steps", number: true },
  percentile: { strategy: "sequence-length", option: "percentile", number: true },
  rounding: { strategy: "sequence-length", option: "rounding", number: false },
} as const satisfies Record<string, { strategy: Strategy; option: string; number: boolean }>;

const UNFINISHED_RUN_STATUSES = new Set(["queued", "running"]);

/** An options file: the request's `options` and `trial` settings, as YAML or JSON. */
interface OptionsFile {
  options?: Record<string, unknown>;
  trial?: Record<string, unknown>;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

async function readOptionsFile(path: string): Promise<OptionsFile> {
  const text = await readFile(path, "utf8");
  let content: unknown;
  try {
    content = parse(text);
  } catch (error) {
    // The parser's first line says what and where ("... at line 2, column 5:"); a snippet follows.
    throw new Error(`${path}: ${(error as Error).message.split("\n")[0]?.replace(/:$/, "")}`);
  }
  // An empty file asks for nothing beyond the defaults.
  if (content === null) return {};
  if (!isMapping(content)) throw new Error(`${path}: expected a mapping of options and trial`);
  for (const [key, value] of Object.entries(content)) {
    if (key !== "options" && key !== "trial") {
      throw new Error(`${path}: unexpected key "${key}"; the file holds options and trial only`);
    }
    if (!isMapping(value)) throw new Error(`${path}: ${key} must be a mapping`);
  }
  return content;
}

/** The options set by flags; a flag of another strategy is a mistake. */
function flagOptions(
  strategy: Strategy,
  flags: Partial<Record<keyof typeof OPTION_FLAGS, string>>,
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [flag, meaning] of Object.entries(OPTION_FLAGS)) {
    const value = flags[flag as keyof typeof OPTION_FLAGS];
    if (value === undefined) continue;
    if (meaning.strategy !== strategy) {
      throw new UsageError(`--${flag} is an option of ${meaning.strategy}, not of ${strategy}`);
    }
    options[meaning.option] = meaning.number ? numberOption(value, `--${flag}`) : value;
  }
  return options;
}

function batchSizeKind(method = DEFAULT_BATCH_SIZE_METHOD): StrategyRequest["kind"] {
  if (!Object.hasOwn(BATCH_SIZE_METHODS, method)) {
    throw new UsageError(
      `--method must be one of ${Object.keys(BATCH_SIZE_METHODS).join(", ")}, not "${method}"`,
    );
  }
  return BATCH_SIZE_METHODS[method as keyof typeof BATCH_SIZE_METHODS];
}

/**
 * Polls the run until it finishes. The status goes to stderr, and only on a terminal: stdout is
 * for the result. A run that fails or is cancelled is this command's failure.
 */
async function waitForRun(
  client: AttuneClient,
  run: StrategyRun,
  intervalSeconds: number,
  output: Output,
): Promise<StrategyRun> {
  const began = Date.now();
  const line = !output.json && process.stderr.isTTY ? new StatusLine(process.stderr) : undefined;
  const finished = await pollUntil(
    () => client.strategies.get.query({ projectId: run.projectId, strategyRunId: run.id }),
    (reading) => !UNFINISHED_RUN_STATUSES.has(reading.status),
    // The API reports no progress within a run: its status and the time waited are all there is.
    (reading) =>
      line?.update(
        `${reading.kind} run ${reading.id}: ${reading.status}  ${duration((Date.now() - began) / 1000)}`,
      ),
    intervalSeconds,
  );
  line?.end();
  if (finished.status !== "completed") {
    throw new Error(
      `${finished.kind} run ${finished.id} ${finished.status}${finished.error ? `: ${finished.error}` : ""}`,
    );
  }
  return finished;
}

/** The run's status and its result: the numbers first, then how long each series is (--json has them). */
function describeRun(run: StrategyRun): string {
  const heading = `${run.kind} run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ""}`;
  if (!run.result) {
    return UNFINISHED_RUN_STATUSES.has(run.status)
      ? `${heading}\nsee it with: attune strategies show ${run.id} --project ${run.projectId} --wait`
      : heading;
  }
  const entries = Object.entries(run.result);
  const series = entries.filter(([, value]) => Array.isArray(value));
  const numbers = entries.filter(([, value]) => !Array.isArray(value));
  return [
    heading,
    table([
      ...numbers.map(([name, value]) => [name, JSON.stringify(value)]),
      ...series.map(([name, value]) => [
        name,
        `${(value as unknown[]).length} entries (--json prints them)`,
      ]),
    ]),
  ].join("\n");
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function describeSequenceLength(recommendation: SequenceLength): string {
  if (recommendation.basis === "preset") {
    return `sequence length ${recommendation.length}: a preset, since the dataset is one document with no sample lengths to measure (${recommendation.reason})`;
  }
  const { length, percentileLength, truncationRate, truncatedTokens, paddingWaste } =
    recommendation;
  return [
    `sequence length ${length} (the sample at the percentile has ${percentileLength} tokens, rounded up): ${percent(truncationRate)} of samples are cut, ${percent(truncatedTokens)} of tokens lost, ${percent(paddingWaste)} of a padded batch is padding`,
    table([
      ["LENGTH", "SAMPLES CUT", "TOKENS LOST", "PADDING"],
      ...recommendation.table.map((row) => [
        String(row.length),
        percent(row.truncationRate),
        percent(row.truncatedTokens),
        percent(row.paddingWaste),
      ]),
    ]),
  ].join("\n");
}

const WAIT_OPTIONS = {
  wait: { type: "boolean", default: false },
  interval: { type: "string", default: "5" },
} as const;

export const strategyCommands = [
  defineCommand({
    name: "strategies run",
    args: ["strategy"],
    options: {
      dataset: { type: "string" },
      model: { type: "string" },
      file: { type: "string", short: "f" },
      method: { type: "string" },
      "min-lr": { type: "string" },
      "max-lr": { type: "string" },
      steps: { type: "string" },
      percentile: { type: "string" },
      rounding: { type: "string" },
      ...WAIT_OPTIONS,
    },
    usage: "--dataset <id> [--model <name|id>] [-f <options.yaml>] [--wait] [--interval <seconds>]",
    details: [
      `<strategy>: ${STRATEGIES.join(" | ")}`,
      "--model: a ready model of the dataset's project to train from, as a study's model (lr-range-test, batch-size)",
      "-f: YAML or JSON { options: {...}, trial: {...} }, as in examples/strategies/<kind>.yaml",
      "lr-range-test: [--min-lr <lr>] [--max-lr <lr>] [--steps <n>]",
      `batch-size: [--method ${Object.keys(BATCH_SIZE_METHODS).join("|")}] (default ${DEFAULT_BATCH_SIZE_METHOD})`,
      "sequence-length: [--percentile <p>] [--rounding multiple-of-8|power-of-two]",
    ],
    async run({ args: [name], options: flags, output }) {
      const strategy = STRATEGIES.find((known) => known === name);
      if (!strategy) {
        throw new UsageError(`unknown strategy "${name}"; use one of ${STRATEGIES.join(", ")}`);
      }
      if (flags.method !== undefined && strategy !== "batch-size") {
        throw new UsageError(`--method is an option of batch-size, not of ${strategy}`);
      }
      const kind = strategy === "batch-size" ? batchSizeKind(flags.method) : strategy;
      const datasetId = required(flags.dataset, "--dataset");
      const interval = numberOption(flags.interval, "--interval");
      const file = flags.file ? await readOptionsFile(flags.file) : {};
      // Flags override the file, so that one file serves several runs.
      const options = { ...file.options, ...flagOptions(strategy, flags) };
      const client = await connect();

      if (kind === "sequence-length") {
        if (file.trial) throw new Error(`${flags.file}: sequence-length has no trial settings`);
        if (flags.model !== undefined) {
          throw new UsageError("--model is an option of lr-range-test and batch-size, which train");
        }
        const recommendation = await client.datasets.recommendSequenceLength.query({
          datasetId,
          ...options,
        } as RouterInputs["datasets"]["recommendSequenceLength"]);
        return output.emit(recommendation, describeSequenceLength);
      }

      // The server checks the options against the kind, and names what is wrong.
      const request = {
        datasetId,
        kind,
        options,
        trial: file.trial,
        ...(flags.model !== undefined && { model: flags.model }),
      } as StrategyRequest;
      const run = await client.strategies.create.mutate(request);
      output.emit(flags.wait ? await waitForRun(client, run, interval, output) : run, describeRun);
    },
  }),

  defineCommand({
    name: "strategies show",
    args: ["run id"],
    options: { project: { type: "string" }, ...WAIT_OPTIONS },
    usage: "--project <id> [--wait] [--interval <seconds>]",
    async run({ args: [strategyRunId], options: flags, output }) {
      const projectId = required(flags.project, "--project");
      const interval = numberOption(flags.interval, "--interval");
      const client = await connect();
      const run = await client.strategies.get.query({ projectId, strategyRunId });
      output.emit(flags.wait ? await waitForRun(client, run, interval, output) : run, describeRun);
    },
  }),
];
