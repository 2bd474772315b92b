#!/usr/bin/env -S node --import tsx
// `attune`: the API from a shell. Every command prints for people, or JSON with --json for pipes;
// every failure is one line on stderr and exit status 1.
import { readFile, writeFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parseArgs } from "node:util";
import type { RouterInputs } from "@attune/api";
import { TRPCClientError } from "@trpc/client";
import { loadConfig, saveConfig } from "./config.ts";
import { type AttuneClient, type AttuneClientOptions, createAttuneClient } from "./index.ts";

const USAGE = `usage: attune <command> [options] [--json]
  login --url <url> --key <api key>
  projects
  datasets upload <file> --project <id> [--name <name>] [--tokenizer char|byte|gpt2]
  study create -f <spec.yaml> --project <id> [--start]
  study watch <study id> [--interval <seconds>]
  study best <study id> [-o <file>]
  trials <study id> [--state <state>]... [--sort number|value|createdAt] [--limit <n>]
  runners
  lr-find --dataset <id> [--min-lr <lr>] [--max-lr <lr>] [--steps <n>] [--wait]`;

/** A mistake on the command line, answered with the usage. */
class UsageError extends Error {}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: "boolean", default: false },
    url: { type: "string" },
    key: { type: "string" },
    project: { type: "string" },
    dataset: { type: "string" },
    name: { type: "string" },
    tokenizer: { type: "string", default: "char" },
    file: { type: "string", short: "f" },
    output: { type: "string", short: "o" },
    start: { type: "boolean", default: false },
    interval: { type: "string", default: "5" },
    state: { type: "string", multiple: true },
    sort: { type: "string", default: "number" },
    limit: { type: "string", default: "50" },
    "min-lr": { type: "string" },
    "max-lr": { type: "string" },
    steps: { type: "string" },
    wait: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

function numberFlag(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`${what} must be a number, not "${value}"`);
  return number;
}

/** Prints `result` as JSON with --json, else as `human` words it. */
function emit<T>(result: T, human: (result: T) => string): void {
  console.log(flags.json ? JSON.stringify(result) : human(result));
}

const table = (rows: string[][]) => rows.map((row) => row.join("\t")).join("\n");

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function connect(): Promise<{ client: AttuneClient; login: AttuneClientOptions }> {
  const login = await loadConfig();
  if (!login) throw new Error("not logged in; run `attune login --url <url> --key <api key>`");
  return { client: createAttuneClient(login), login };
}

/** The one team an API key acts for. */
async function teamOf(client: AttuneClient): Promise<string> {
  const [team] = await client.teams.list.query();
  if (!team) throw new Error("the API key's team is gone");
  return team.id;
}

async function login(): Promise<void> {
  const options = { url: required(flags.url, "--url"), apiKey: required(flags.key, "--key") };
  // Checked before saving, so that a wrong key or address fails now rather than at the next command.
  const [team] = await createAttuneClient(options).teams.list.query();
  const path = await saveConfig(options);
  emit(
    { url: options.url, team: team?.name ?? null, config: path },
    (saved) => `logged in to ${saved.url} as team ${saved.team}; saved in ${saved.config}`,
  );
}

async function projects(): Promise<void> {
  const { client } = await connect();
  const list = await client.projects.list.query({ teamId: await teamOf(client) });
  emit(list, (rows) => table(rows.map((project) => [project.id, project.name])));
}

async function uploadDataset(file: string): Promise<void> {
  const { client } = await connect();
  const dataset = await client.datasets.upload.mutate({
    projectId: required(flags.project, "--project"),
    name: flags.name ?? basename(file, extname(file)),
    format: extname(file) === ".jsonl" ? "jsonl" : "text",
    // The server checks the choice and names the valid ones.
    tokenizer: flags.tokenizer as RouterInputs["datasets"]["upload"]["tokenizer"],
    content: await readFile(file, "utf8"),
    fileName: basename(file),
  });
  emit(dataset, (created) => `uploaded dataset ${created.name}: ${created.id}`);
}

async function createStudy(): Promise<void> {
  const { client } = await connect();
  const spec = await readFile(required(flags.file, "-f <spec file>"), "utf8");
  const created = await client.studies.create.mutate({
    projectId: required(flags.project, "--project"),
    spec,
  });
  const study = flags.start ? await client.studies.start.mutate({ studyId: created.id }) : created;
  emit(study, (s) => `study ${s.name}: ${s.id} (${s.status})`);
}

const FINISHED_TRIAL_STATES = ["completed", "pruned", "failed", "cancelled"] as const;
const FINISHED_STUDY_STATUSES = new Set(["completed", "cancelled", "failed"]);

function progressBar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/** Polls until the study finishes: a redrawn bar on a terminal, one JSON line per poll with --json. */
async function watchStudy(studyId: string): Promise<void> {
  const { client } = await connect();
  const interval = numberFlag(flags.interval, "--interval") ?? 5;
  const began = Date.now();
  let doneAtStart: number | undefined;
  for (;;) {
    const study = await client.studies.get.query({ studyId });
    const { total: done } = await client.trials.list.query({
      studyId,
      states: [...FINISHED_TRIAL_STATES],
      limit: 1,
    });
    const budget = (study.spec as { budget?: { trials?: number } }).budget?.trials ?? done;
    const best = study.bestTrialId
      ? ((await client.trials.get.query({ trialId: study.bestTrialId })).values?.[0] ?? null)
      : null;
    doneAtStart ??= done;
    // The rate is measured over this watch only: trials finished before it say nothing of now.
    const rate = (done - doneAtStart) / ((Date.now() - began) / 1000);
    const etaSeconds = rate > 0 ? (budget - done) / rate : null;
    const finished = FINISHED_STUDY_STATUSES.has(study.status);
    if (flags.json) {
      console.log(JSON.stringify({ status: study.status, done, budget, best, etaSeconds }));
    } else {
      const line = `${progressBar(done, budget)} ${done}/${budget} trials  best ${best ?? "-"}  ETA ${etaSeconds === null ? "-" : duration(etaSeconds)}  ${study.status}`;
      process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
    }
    if (finished) {
      if (!flags.json && process.stdout.isTTY) process.stdout.write("\n");
      return;
    }
    await sleep(interval);
  }
}

async function bestConfig(studyId: string): Promise<void> {
  const { client } = await connect();
  const best = await client.studies.exportBest.query({ studyId });
  if (flags.output) {
    await writeFile(flags.output, `${JSON.stringify(best.config, null, 2)}\n`);
    emit(
      { ...best, savedTo: flags.output },
      (b) => `best config (trial ${b.trialNumber}) saved in ${b.savedTo}`,
    );
    return;
  }
  emit(best, (b) => JSON.stringify(b.config, null, 2));
}

type TrialListInput = RouterInputs["trials"]["list"];

async function trials(studyId: string): Promise<void> {
  const { client } = await connect();
  const page = await client.trials.list.query({
    studyId,
    // The server checks these and names the valid values.
    states: flags.state as TrialListInput["states"],
    sortBy: flags.sort as TrialListInput["sortBy"],
    limit: numberFlag(flags.limit, "--limit"),
  });
  emit(page, ({ trials: rows, total }) =>
    [
      table(
        rows.map((t) => [
          `#${t.number}`,
          t.state,
          String(t.values?.[0] ?? "-"),
          JSON.stringify(t.params),
        ]),
      ),
      `${rows.length} of ${total} trials`,
    ].join("\n"),
  );
}

async function runners(): Promise<void> {
  const { client } = await connect();
  const list = await client.runners.list.query();
  emit(list, (rows) => table(rows.map((runner) => Object.values(runner).map(String))));
}

async function lrFind(): Promise<void> {
  const { client } = await connect();
  const datasetId = required(flags.dataset, "--dataset");
  let run = await client.strategies.create.mutate({
    datasetId,
    kind: "lr-range-test",
    options: {
      minLr: numberFlag(flags["min-lr"], "--min-lr"),
      maxLr: numberFlag(flags["max-lr"], "--max-lr"),
      steps: numberFlag(flags.steps, "--steps"),
    },
  });
  while (flags.wait && (run.status === "queued" || run.status === "running")) {
    await sleep(numberFlag(flags.interval, "--interval") ?? 5);
    run = await client.strategies.get.query({ projectId: run.projectId, strategyRunId: run.id });
  }
  emit(
    run,
    (r) =>
      `LR range test ${r.id}: ${r.status}${r.result ? `\n${JSON.stringify(r.result, null, 2)}` : r.error ? ` (${r.error})` : ""}`,
  );
}

async function main(): Promise<void> {
  const [command, sub, argument] = positionals;
  if (flags.help || !command) return console.log(USAGE);
  const commands: Record<string, () => Promise<void>> = {
    login,
    projects,
    runners,
    "lr-find": lrFind,
    trials: () => trials(required(sub, "the study id")),
    datasets: () => {
      if (sub !== "upload") throw new UsageError("datasets has one subcommand: upload <file>");
      return uploadDataset(required(argument, "the file to upload"));
    },
    study: () => {
      if (sub === "create") return createStudy();
      if (sub === "watch") return watchStudy(required(argument, "the study id"));
      if (sub === "best") return bestConfig(required(argument, "the study id"));
      throw new UsageError("study has the subcommands create, watch and best");
    },
  };
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command "${command}"`);
  await run();
}

/** Why fetch failed, from the innermost of its causes: ECONNREFUSED, ENOTFOUND, "bad port". */
function connectionFailure(error: Error): string {
  let innermost = error;
  while (innermost.cause instanceof Error) innermost = innermost.cause;
  const { code } = innermost as { code?: unknown };
  return typeof code === "string" ? code : innermost.message;
}

/** One line that says what went wrong and, where it can, what to do. */
function describeFailure(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string } | undefined;
    if (data === undefined) {
      // No answer from the API at all: nothing listening, or something else than Attune there.
      return `cannot reach the server: ${connectionFailure(error)}`;
    }
    const message = error.message.replaceAll("\n", "; ");
    if (data.code === "UNAUTHORIZED") {
      return `the server refused the API key (401): ${message}; run \`attune login\` with a valid key`;
    }
    return `${message} (${data.code ?? "error"})`;
  }
  if (error instanceof UsageError) return `${error.message}\n${USAGE}`;
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  console.error(`attune: ${describeFailure(error)}`);
  process.exitCode = 1;
});
