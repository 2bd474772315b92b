// Runner processes for integration tests: start them against a test database, kill them, stop them.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createDataset, createStudy, type Database, updateStudyStatus } from "@attune/db";
import { seedProject } from "@attune/db/seed";
import { afterAll } from "vitest";

const main = join(import.meta.dirname, "../src/main.ts");

export interface RunnerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** `stdout`, when given, collects the runner's standard output (its info logs) instead of showing it. */
export function startRunner(
  url: string,
  name: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  stdout?: string[],
): RunnerProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      main,
      "--name",
      name,
      "--concurrency",
      "1",
      "--control-interval",
      "200",
      "--checkpoint-interval",
      "20",
      ...extraArgs,
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        ATTUNE_LOG_LEVEL: process.env.ATTUNE_LOG_LEVEL ?? "warn",
        ...env,
      },
      stdio: ["ignore", stdout ? "pipe" : "inherit", "inherit"],
    },
  );
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout?.push(chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, exited };
}

/**
 * The runner processes a test file starts: each is killed after the file's tests, so a failed
 * assertion never leaves one training.
 */
export function useRunnerProcesses(): RunnerProcess[] {
  const runners: RunnerProcess[] = [];
  afterAll(async () => {
    for (const runner of runners) runner.child.kill("SIGKILL");
    await Promise.all(runners.map((runner) => runner.exited));
  });
  return runners;
}

/**
 * How long a test waits on runners starting and on real training. Tests check behaviour, not
 * speed: this holds on plain wasm (ATTUNE_NATIVE=0) on a 2-core machine busy with other work,
 * where a wait that takes seconds with the native kernels on a quiet machine can take minutes. A
 * test that is stuck still fails, saying what it waited for.
 */
export const trainingBudgetMs = 10 * 60_000;

/**
 * How long a runner may take to act on a directive (cancel, pause, SIGTERM) or to send its next
 * heartbeat: about a second on a quiet machine, stretched by a busy one, and still far short of
 * the training that the directive interrupts.
 */
export const directiveBudgetMs = 30_000;

export async function until<T>(
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

const text = "the quick brown fox jumps over the lazy dog. ".repeat(400);

/** Settings of a model small enough to train in milliseconds a step. */
export const tinyModel = { layers: 1, d_model: 16, heads: 2, seq_len: 16, batch_size: 4 };

/** A project with one small text dataset, "foxes". */
export async function seedFoxes(db: Database) {
  const { project, owner } = await seedProject(db);
  const dataset = await createDataset(db, {
    projectId: project.id,
    name: "foxes",
    source: "upload",
    origin: "foxes.txt",
    format: "text",
    tokenizer: "char",
    content: text,
    createdBy: owner.id,
  });
  return { project, owner, dataset };
}

/**
 * The built-in Moby Dick in a project, as datasets.addBuiltin adds it: named after the corpus, with
 * no text in the database (runners read it from its package, as trials do).
 */
export function addMobyDick(db: Database, projectId: string, createdBy: string) {
  return createDataset(db, {
    projectId,
    name: "moby-dick",
    source: "builtin",
    origin: "moby-dick",
    format: "text",
    tokenizer: "char",
    content: "",
    statistics: null,
    createdBy,
  });
}

/** A running study over the foxes text, with a tiny model; `spec` overrides the spec's fields. */
export async function createRunningStudy(db: Database, spec: Record<string, unknown>) {
  const { project } = await seedFoxes(db);
  const study = await createStudy(db, {
    projectId: project.id,
    name: "study",
    seed: 11,
    spec: {
      name: "study",
      task: "language-modelling",
      dataset: "foxes",
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      fixed: { ...tinyModel, eval_every: 10 },
      searchSpace: { lr: { type: "float", low: 1e-3, high: 3e-2, log: true } },
      sampler: { kind: "random" },
      ...spec,
    },
  });
  await updateStudyStatus(db, study.id, "running");
  return study;
}
