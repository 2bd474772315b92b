// The client and the CLI against a running server on a real PostgreSQL: logging in, what every
// command shares (failures, usage), and a study that a real runner trains.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, stat, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { createNextTrial, setBestTrial, updateTrial } from "@attune/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliHarness,
  expectOneLineFailure,
  SAMPLES,
  specYaml,
  startCliHarness,
} from "./harness.ts";

const RUNNER = join(import.meta.dirname, "../../../apps/gpu-runner/src/main.ts");

let cli: CliHarness;

beforeAll(async () => {
  cli = await startCliHarness();
});

afterAll(async () => {
  await cli?.server.stop();
});

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
  return cli.attune("datasets", "upload", file, "--project", projectId, "--json");
}

/** `attune study create` from a spec file into the project, as JSON. */
function createStudyWithCli(specFile: string, projectId: string) {
  return cli.attune("study", "create", "-f", specFile, "--project", projectId, "--json");
}

describe("createAttuneClient", () => {
  it("creates a project, uploads a dataset, creates a study, lists trials and fetches the best config", async () => {
    const { client, server } = cli;
    const [team] = await client.teams.list.query();
    expect(team?.id).toBe(cli.server.team.id);

    const project = await client.projects.create.mutate({ teamId: cli.server.team.id, name: "lm" });
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
    const login = await cli.attune(
      "login",
      "--url",
      cli.server.url,
      "--key",
      cli.server.apiKey,
      "--json",
    );
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    const config = join(cli.home, ".config/attune/config.json");
    expect(JSON.parse(await readFile(config, "utf8"))).toEqual({
      url: cli.server.url,
      apiKey: cli.server.apiKey,
    });
    expect((await stat(config)).mode & 0o777).toBe(0o600);

    const projects = await cli.attune("projects", "--json");
    expect(projects.code).toBe(0);
    expect(JSON.parse(projects.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "lm", teamId: cli.server.team.id })]),
    );
  });

  it("uploads a dataset, creates a study from a spec file and prints its best config", async () => {
    const [project] = JSON.parse((await cli.attune("projects", "--json")).stdout) as {
      id: string;
    }[];
    const file = join(cli.home, "tiny.jsonl");
    await writeFile(file, SAMPLES);
    const upload = await uploadWithCli(file, project?.id ?? "");
    expect(upload.code).toBe(0);
    const dataset = JSON.parse(upload.stdout) as { name: string };
    expect(dataset.name).toBe("tiny");

    const specFile = join(cli.home, "spec.yaml");
    await writeFile(specFile, specYaml("from-cli", dataset.name));
    const created = await createStudyWithCli(specFile, project?.id ?? "");
    expect(created.code).toBe(0);
    const study = JSON.parse(created.stdout) as { id: string; status: string };
    expect(study.status).toBe("draft");

    const trials = await cli.attune("trials", study.id, "--json");
    expect(JSON.parse(trials.stdout)).toMatchObject({ total: 0, trials: [] });

    const noBest = await cli.attune("study", "best", study.id);
    expect(noBest.code).toBe(1);
    expect(noBest.stderr).toMatch(
      /^attune: study .* has no best trial yet \(PRECONDITION_FAILED\)\n$/,
    );
  });

  it("names the field of an invalid spec on one line", async () => {
    const [project] = JSON.parse((await cli.attune("projects", "--json")).stdout) as {
      id: string;
    }[];
    const specFile = join(cli.home, "bad.yaml");
    await writeFile(specFile, specYaml("bad", "tiny", { steps: -5 }));
    const result = await cli.attune(
      "study",
      "create",
      "-f",
      specFile,
      "--project",
      project?.id ?? "",
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("budget.stepsPerTrial");
  });

  it("says so when the server refuses the key", async () => {
    const result = await cli.attune(
      "login",
      "--url",
      cli.server.url,
      "--key",
      "att_wrong",
      "--json",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "attune: the server refused the API key (401): the API key is not valid; run `attune login` with a valid key\n",
    );
  });

  it("says so when the server cannot be reached", async () => {
    const result = await cli.attune(
      "login",
      "--url",
      `http://127.0.0.1:${await closedPort()}`,
      "--key",
      cli.server.apiKey,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("attune: cannot reach the server: ECONNREFUSED\n");
  });

  it("answers a mistake on the command line with one line and the command's usage", async () => {
    const unknownOption = await cli.attune("study", "list", "--projekt", "x");
    expectOneLineFailure(unknownOption, "Unknown option '--projekt'");
    expect(unknownOption.stderr).toContain("; usage: attune study list --project <id>\n");
    expectOneLineFailure(
      await cli.attune("study", "pause"),
      "missing the study id; usage: attune study pause <study id>",
    );
    expectOneLineFailure(
      await cli.attune("study", "frob"),
      'study has no subcommand "frob": create,',
    );
    expectOneLineFailure(await cli.attune("frob"), 'unknown command "frob"');
    const help = await cli.attune("study", "append", "--help");
    expect(help).toMatchObject({
      code: 0,
      stdout: "usage: attune study append <study id> --trials <n>\n",
    });
  });

  // A real runner starts and trains: minutes on plain wasm on a busy 2-core machine.
  it("watches a study that a runner trains to the end, then fetches its best config", {
    timeout: 15 * 60_000,
  }, async () => {
    const [project] = JSON.parse((await cli.attune("projects", "--json")).stdout) as {
      id: string;
    }[];
    const file = join(cli.home, "foxes.txt");
    await writeFile(file, "the quick brown fox jumps over the lazy dog. ".repeat(300));
    const upload = await uploadWithCli(file, project?.id ?? "");
    expect(upload.code).toBe(0);
    const specFile = join(cli.home, "trained.yaml");
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
        env: { ...process.env, DATABASE_URL: cli.server.databaseUrl, ATTUNE_LOG_LEVEL: "warn" },
        stdio: "inherit",
      },
    );
    try {
      await cli.client.studies.start.mutate({ studyId: study.id });
      const watched = await cli.attune("study", "watch", study.id, "--interval", "1", "--json");
      expect(watched.code).toBe(0);
      const last = JSON.parse(watched.stdout.trim().split("\n").at(-1) ?? "{}");
      expect(last).toMatchObject({ status: "completed", done: 3, budget: 3 });
      expect(last.best).toBeGreaterThan(0);

      const best = await cli.attune("study", "best", study.id, "--json");
      expect(best.code).toBe(0);
      expect(JSON.parse(best.stdout)).toMatchObject({
        config: { lr: expect.any(Number), layers: 1 },
      });

      // The runner is still running: listed as alive, with the backend it chose and why.
      const [listed] =
        await cli.attuneJson<{ name: string; backend: string; backendReason: string }[]>("runners");
      expect(listed).toMatchObject({ name: "cli-runner", alive: true });
      expect(listed?.backendReason).not.toBe("");
      const runners = await cli.attune("runners");
      const [header, row] = runners.stdout.trimEnd().split("\n");
      expect(header?.split(/ {2,}/)).toEqual([
        "NAME",
        "HOST",
        "BACKEND",
        "TRIALS NOW",
        "ALIVE",
        "WHY THIS BACKEND",
      ]);
      expect(row?.split(/ {2,}/)).toEqual([
        "cli-runner",
        hostname(),
        listed?.backend,
        "0/1",
        "yes",
        listed?.backendReason,
      ]);
    } finally {
      runner.kill("SIGTERM");
      await once(runner, "exit");
    }
  });
});
