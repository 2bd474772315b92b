// What the CLI's tests share: a running API server, the CLI run as a child process with a home
// directory of its own, and the specs and samples they create studies from.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { createAttuneClient } from "../src/index.ts";
import { startApiServer } from "./server.ts";

const execFileAsync = promisify(execFile);
const CLI = join(import.meta.dirname, "../src/cli.ts");

export const SAMPLES = [
  '{"text": "the cat sat on the mat"}',
  '{"text": "a dog barked at the moon all night"}',
].join("\n");

export interface SpecOptions {
  trials?: number;
  steps?: number;
  /** The spec's `fixed` settings, as YAML flow text. */
  fixed?: string;
}

export function specYaml(
  name: string,
  dataset: string,
  { trials = 4, steps = 10, fixed }: SpecOptions = {},
) {
  return `name: ${name}
task: language-modelling
dataset: ${dataset}
objectives:
  - { metric: val_loss, direction: minimize }
searchSpace:
  lr: { type: float, low: 0.0001, high: 0.01, log: true }
sampler: { kind: random }
budget: { trials: ${trials}, stepsPerTrial: ${steps} }
${fixed ? `fixed: ${fixed}\n` : ""}`;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A server, and the CLI in a home directory of its own, not yet logged in. */
export async function startCliHarness() {
  const server = await startApiServer();
  const home = await mkdtemp(join(tmpdir(), "attune-cli-"));
  const client = createAttuneClient({ url: server.url, apiKey: server.apiKey });

  /** Runs the CLI; execFile is asynchronous, so the server in this process keeps serving. */
  async function attune(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(
        process.execPath,
        ["--import", "tsx", CLI, ...args],
        { env: { ...process.env, HOME: home, XDG_CONFIG_HOME: "" } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as CliResult;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** The CLI's JSON output of a command that must succeed. */
  async function attuneJson<T>(...args: string[]): Promise<T> {
    const result = await attune(...args, "--json");
    if (result.code !== 0) {
      throw new Error(`attune ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  return { server, home, client, attune, attuneJson };
}

export type CliHarness = Awaited<ReturnType<typeof startCliHarness>>;

/** A harness logged in, with a project holding the SAMPLES dataset, for tests of one command group. */
export async function startProjectHarness(projectName: string) {
  const harness = await startCliHarness();
  await harness.attuneJson("login", "--url", harness.server.url, "--key", harness.server.apiKey);
  const project = await harness.client.projects.create.mutate({
    teamId: harness.server.team.id,
    name: projectName,
  });
  const dataset = await harness.client.datasets.upload.mutate({
    projectId: project.id,
    name: "samples",
    format: "jsonl",
    tokenizer: "char",
    content: SAMPLES,
  });
  return { ...harness, project, dataset };
}

/** The command failed with status 1 and one line on stderr, "attune: ", that contains `text`. */
export function expectOneLineFailure(result: CliResult, text: string | RegExp): void {
  expect(result.stderr).toMatch(/^attune: [^\n]+\n$/);
  if (typeof text === "string") expect(result.stderr).toContain(text);
  else expect(result.stderr).toMatch(text);
  expect(result.code).toBe(1);
}
