// The client and the CLI against a running server on a real PostgreSQL.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createNextTrial, setBestTrial, updateTrial } from "@attune/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAttuneClient } from "../src/index.ts";
import { type ApiServer, startApiServer } from "./server.ts";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../src/cli.ts");
const RUNNER = join(import.meta.dirname, "../../../apps/gpu-runner/src/main.ts");

const SAMPLES = [
  '{"text": "the cat sat on the mat"}',
  '{"text": "a dog barked at the moon all night"}',
].join("\n");

interface SpecOptions {
  trials?: number;
  steps?: number;
  /** The spec's `fixed` settings, as YAML flow text. */
  fixed?: string;
}

function specYaml(
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

let server: ApiServer;
let home: string;

beforeAll(async () => {
  server = await startApiServer();
  home = await mkdtemp(join(tmpdir(), "attune-cli-"));
});

afterAll(async () => {
  await server?.stop();
});

/** Runs the CLI with its own home directory; execFile is asynchronous, so the server keeps serving. */
async function attune(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", CLI, ...args], {
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: "" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return port;
}

/** `attune datasets upload` of a file into the project, as JSON. */
function uploadWithCli(file: string, projectId: string) {
  return attune("datasets", "upload", file, "--project", projectId, "--json");
}

/** `attune study create` from a spec file into the project, as JSON. */
function createStudyWithCli(specFile: string, projectId: string) {
  return attune("study", "create", "-f", specFile, "--project", projectId, "--json");
}

describe("createAttuneClient", () => {
  it("creates a project, uploads a dataset, creates a study, lists trials and fetches the best config", async () => {
    const client = createAttuneClient({ url: server.url, apiKey: server.apiKey });
    const [team] = await client.teams.list.query();
    expect(team?.id).toBe(server.team.id);

    const project = await client.projects.create.mutate({ teamId: server.team.id, name: "lm" });
    const dataset = await client.datasets.upload.mutate({
      projectId: project.id,
      name: "samples",
      format: "jsonl",
      tokenizer: "char",
      content: SAMPLES,
    });
    const study = await client.studies.create.mutate({
      projectId: project.id,
      spec: specYaml("first", dataset.name),
    });
    expect(study).toMatchObject({ name: "first", status: "draft" });
    // superjson carries dates as dates.
    expect(study.createdAt).toBeInstanceOf(Date);

    // No runner here: the trials a runner would finish are written directly.
    for (const [lr, loss] of [
      [0.001, 2.5],
      [0.004, 1.75],
    ] as const) {
      const trial = await createNextTrial(server.db, { studyId: study.id, params: { lr } });
      await updateTrial(server.db, trial.id, { state: "completed", values: [loss] });
      if (loss === 1.75) await setBestTrial(server.db, study.id, trial.id);
    }

    const page = await client.trials.list.query({ studyId: study.id, sortBy: "value" });
    expect(page.total).toBe(2);
    expect(page.trials.map((trial) => trial.values?.[0])).toEqual([1.75, 2.5]);

    const best = await client.studies.exportBest.query({ studyId: study.id });
    expect(best).toMatchObject({ trialNumber: 1, values: [1.75] });
    expect(best.config).toMatchObject({ lr: 0.004 });
  });
});

describe("the attune CLI", () => {
  it("logs in, storing the login for the user alone, and lists projects as JSON", async () => {
    const login = await attune("login", "--url", server.url, "--key", server.apiKey, "--json");
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    const config = join(home, ".config/attune/config.json");
    expect(JSON.parse(await readFile(config, "utf8"))).toEqual({
      url: server.url,
      apiKey: server.apiKey,
    });
    expect((await stat(config)).mode & 0o777).toBe(0o600);

    const projects = await attune("projects", "--json");
    expect(projects.code).toBe(0);
    expect(JSON.parse(projects.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "lm", teamId: server.team.id })]),
    );
  });

  it("uploads a dataset, creates a study from a spec file and prints its best config", async () => {
    const [project] = JSON.parse((await attune("projects", "--json")).stdout) as { id: string }[];
    const file = join(home, "tiny.jsonl");
    await writeFile(file, SAMPLES);
    const upload = await uploadWithCli(file, project?.id ?? "");
    expect(upload.code).toBe(0);
    const dataset = JSON.parse(upload.stdout) as { name: string };
    expect(dataset.name).toBe("tiny");

    const specFile = join(home, "spec.yaml");
    await writeFile(specFile, specYaml("from-cli", dataset.name));
    const created = await createStudyWithCli(specFile, project?.id ?? "");
    expect(created.code).toBe(0);
    const study = JSON.parse(created.stdout) as { id: string; status: string };
    expect(study.status).toBe("draft");

    const trials = await attune("trials", study.id, "--json");
    expect(JSON.parse(trials.stdout)).toMatchObject({ total: 0, trials: [] });

    const noBest = await attune("study", "best", study.id);
    expect(noBest.code).toBe(1);
    expect(noBest.stderr).toMatch(
      /^attune: study .* has no best trial yet \(PRECONDITION_FAILED\)\n$/,
    );
  });

  it("names the field of an invalid spec on one line", async () => {
    const [project] = JSON.parse((await attune("projects", "--json")).stdout) as { id: string }[];
    const specFile = join(home, "bad.yaml");
    await writeFile(specFile, specYaml("bad", "tiny", { steps: -5 }));
    const result = await attune("study", "create", "-f", specFile, "--project", project?.id ?? "");
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("budget.stepsPerTrial");
  });

  it("says so when the server refuses the key", async () => {
    const result = await attune("login", "--url", server.url, "--key", "att_wrong", "--json");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "attune: the server refused the API key (401): the API key is not valid; run `attune login` with a valid key\n",
    );
  });

  it("says so when the server cannot be reached", async () => {
    const result = await attune(
      "login",
      "--url",
      `http://127.0.0.1:${await closedPort()}`,
      "--key",
      server.apiKey,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("attune: cannot reach the server: ECONNREFUSED\n");
  });

  it("watches a study that a runner trains to the end, then fetches its best config", async () => {
    const [project] = JSON.parse((await attune("projects", "--json")).stdout) as { id: string }[];
    const file = join(home, "foxes.txt");
    await writeFile(file, "the quick brown fox jumps over the lazy dog. ".repeat(300));
    const upload = await uploadWithCli(file, project?.id ?? "");
    expect(upload.code).toBe(0);
    const specFile = join(home, "trained.yaml");
    await writeFile(
      specFile,
      specYaml("trained", "foxes", {
        trials: 3,
        steps: 30,
        fixed: "{ layers: 1, d_model: 16, heads: 2, seq_len: 16, batch_size: 4, eval_every: 10 }",
      }),
    );
    const created = await createStudyWithCli(specFile, project?.id ?? "");
    expect(created.code).toBe(0);
    const study = JSON.parse(created.stdout) as { id: string };

    const runner = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        RUNNER,
        "--name",
        "cli-runner",
        "--concurrency",
        "1",
        "--control-interval",
        "200",
      ],
      {
        env: { ...process.env, DATABASE_URL: server.databaseUrl, ATTUNE_LOG_LEVEL: "warn" },
        stdio: "inherit",
      },
    );
    try {
      const client = createAttuneClient({ url: server.url, apiKey: server.apiKey });
      await client.studies.start.mutate({ studyId: study.id });
      const watched = await attune("study", "watch", study.id, "--interval", "1", "--json");
      expect(watched.code).toBe(0);
      const last = JSON.parse(watched.stdout.trim().split("\n").at(-1) ?? "{}");
      expect(last).toMatchObject({ status: "completed", done: 3, budget: 3 });
      expect(last.best).toBeGreaterThan(0);

      const best = await attune("study", "best", study.id, "--json");
      expect(best.code).toBe(0);
      expect(JSON.parse(best.stdout)).toMatchObject({
        config: { lr: expect.any(Number), layers: 1 },
      });
    } finally {
      runner.kill("SIGTERM");
      await once(runner, "exit");
    }
  });
});
