// `attune strategies`: queuing LR range tests and batch-size runs from flags and option files, and
// waiting for their results. No runner trains here: a test plays the runner through the database
// functions runners use, so nothing waits on training.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  claimStrategyRun,
  completeStrategyRun,
  createModel,
  failStrategyRun,
  listStrategyRuns,
  registerRunner,
  setModelStatus,
} from "@attune/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type CliResult, expectOneLineFailure, startProjectHarness } from "./harness.ts";

const EXAMPLES = join(import.meta.dirname, "../../../examples/strategies");

let cli: Awaited<ReturnType<typeof startProjectHarness>>;

beforeAll(async () => {
  cli = await startProjectHarness("strategies");
});

afterAll(async () => {
  await cli?.server.stop();
});

interface RunJson {
  id: string;
  kind: string;
  status: string;
  settings: { options: Record<string, unknown>; trial: Record<string, unknown> };
  result: Record<string, unknown> | null;
}

function runStrategy(...args: string[]) {
  return cli.attune("strategies", "run", ...args, "--dataset", cli.dataset.id);
}

async function runStrategyJson(...args: string[]): Promise<RunJson> {
  return cli.attuneJson<RunJson>("strategies", "run", ...args, "--dataset", cli.dataset.id);
}

async function optionsFile(name: string, text: string): Promise<string> {
  const file = join(cli.home, name);
  await writeFile(file, text);
  return file;
}

/** Plays the runner: waits for the next run the waiting CLI queues, and claims it. */
async function claimNextRun(runnerId: string, seen: Set<string>, waiting: Promise<CliResult>) {
  let ended: CliResult | undefined;
  void waiting.then((result) => {
    ended = result;
  });
  for (;;) {
    if (ended) throw new Error(`the CLI ended before it queued a run: ${ended.stderr}`);
    const runs = await listStrategyRuns(cli.server.db, cli.project.id);
    const queued = runs.find((run) => run.status === "queued" && !seen.has(run.id));
    if (queued) {
      seen.add(queued.id);
      const claimed = await claimStrategyRun(cli.server.db, queued.id, runnerId);
      if (!claimed) throw new Error(`run ${queued.id} could not be claimed`);
      return claimed;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("attune strategies run", () => {
  it("queues an LR range test with the server's defaults, and lr-find is the same command", async () => {
    const run = await runStrategyJson("lr-range-test");
    expect(run).toMatchObject({
      kind: "lr-range-test",
      status: "queued",
      settings: { options: { minLr: 1e-6, maxLr: 1, steps: 100 }, trial: {} },
    });
    const human = await runStrategy("lr-range-test");
    expect(human.stdout).toMatch(
      new RegExp(
        `^lr-range-test run \\S+: queued\\nsee it with: attune strategies show \\S+ --project ${cli.project.id} --wait\\n$`,
      ),
    );

    const alias = await cli.attuneJson<RunJson>(
      "lr-find",
      "--dataset",
      cli.dataset.id,
      "--steps",
      "20",
      "--max-lr",
      "0.1",
    );
    expect(alias).toMatchObject({
      kind: "lr-range-test",
      settings: { options: { minLr: 1e-6, maxLr: 0.1, steps: 20 } },
    });
  });

  it.each([
    ["lr-range-test", "lr-range-test"],
    ["batch-size-cross-validation", "batch-size"],
    ["batch-size-cross-validation", "batch-size --method cross-validation"],
    ["batch-size-sweep", "batch-size --method sweep"],
    ["gradient-noise-scale", "batch-size --method gradient-noise-scale"],
  ])("queues %s from examples/strategies with: strategies run %s", async (kind, command) => {
    const file = join(EXAMPLES, `${kind}.yaml`);
    const example = parse(await readFile(file, "utf8")) as Pick<
      RunJson["settings"],
      "options" | "trial"
    >;
    const run = await runStrategyJson(...command.split(" "), "-f", file);
    expect(run.kind).toBe(kind);
    expect(run.settings.options).toMatchObject(example.options);
    expect(run.settings.trial).toEqual(example.trial);
  });

  it("starts from a ready model of the project with --model, and names one it cannot", async () => {
    // Ready is all the server checks; the runner reads the files.
    const model = await createModel(cli.server.db, {
      projectId: cli.project.id,
      name: "tiny",
      source: "upload",
      files: [{ name: "config.json", sizeBytes: 2, sha256: "0".repeat(64) }],
    });
    await setModelStatus(cli.server.db, model.id, { status: "ready" });
    const run = await runStrategyJson("lr-range-test", "--model", "tiny");
    expect(run.settings).toMatchObject({ model: "tiny" });
    expectOneLineFailure(
      await runStrategy("lr-range-test", "--model", "nope"),
      'model: the project has no model "nope" (BAD_REQUEST)',
    );
    expectOneLineFailure(
      await runStrategy("sequence-length", "--model", "tiny"),
      "--model is an option of lr-range-test and batch-size, which train",
    );
  });

  it("lets flags override the file's options", async () => {
    const file = await optionsFile("lr.json", '{ "options": { "minLr": 0.0001, "steps": 40 } }');
    const run = await runStrategyJson("lr-range-test", "-f", file, "--steps", "25");
    expect(run.settings.options).toMatchObject({ minLr: 0.0001, steps: 25 });
  });

  it("fails in one line on an option file it cannot use, naming the file or the field", async () => {
    const cases: [string, string | RegExp][] = [
      ["options: [unclosed", /bad\.yaml: .* at line 1, column \d+\n$/],
      [
        "kind: lr-range-test\noptions: {}",
        'bad.yaml: unexpected key "kind"; the file holds options and trial only',
      ],
      ["options: 5", "bad.yaml: options must be a mapping"],
      ["options: { minLr: -1 }", /options\.minLr: .* \(BAD_REQUEST\)/],
      ["options: { stepz: 10 }", /stepz.* \(BAD_REQUEST\)/],
      ["trial: { layers: 0 }", /layers.* \(BAD_REQUEST\)/],
    ];
    for (const [text, message] of cases) {
      const file = await optionsFile("bad.yaml", text);
      expectOneLineFailure(await runStrategy("lr-range-test", "-f", file), message);
    }
    expectOneLineFailure(
      await runStrategy("lr-range-test", "-f", join(cli.home, "missing.yaml")),
      "ENOENT",
    );
    // The batch-size methods have no defaults for the candidates: the server names what is missing.
    expectOneLineFailure(await runStrategy("batch-size"), /options\.batchSizes: .*\(BAD_REQUEST\)/);
  });

  it("answers a strategy, method or flag that does not fit with one line and the usage", async () => {
    expectOneLineFailure(
      await runStrategy("lr-range"),
      'unknown strategy "lr-range"; use one of lr-range-test, batch-size, sequence-length; usage: attune strategies run',
    );
    expectOneLineFailure(
      await runStrategy("batch-size", "--method", "guess"),
      '--method must be one of cross-validation, sweep, gradient-noise-scale, not "guess"',
    );
    expectOneLineFailure(
      await runStrategy("lr-range-test", "--method", "sweep"),
      "--method is an option of batch-size, not of lr-range-test",
    );
    expectOneLineFailure(
      await runStrategy("batch-size", "--steps", "10"),
      "--steps is an option of lr-range-test, not of batch-size",
    );
    expectOneLineFailure(
      await cli.attune("strategies", "run", "lr-range-test"),
      "missing --dataset",
    );
  });

  it("--wait polls until the run finishes and prints its result; a failed run is a one-line failure", async () => {
    const runner = await registerRunner(cli.server.db, {
      name: "test-runner",
      host: "test",
      pid: process.pid,
      backend: "cpu",
      backendReason: "the test plays the runner",
      device: "cpu",
      cores: 1,
      capacity: 1,
    });
    const seen = new Set((await listStrategyRuns(cli.server.db, cli.project.id)).map((r) => r.id));
    const result = { suggestedLr: 0.003, minLossLr: 0.03, diverged: false, curve: [] };

    const waiting = runStrategy("lr-range-test", "--wait", "--interval", "0.2", "--json");
    const claimed = await claimNextRun(runner.id, seen, waiting);
    await completeStrategyRun(cli.server.db, claimed.id, result);
    const waited = await waiting;
    expect(waited.stderr).toBe("");
    expect(JSON.parse(waited.stdout)).toMatchObject({
      id: claimed.id,
      status: "completed",
      result,
    });

    const shown = await cli.attune("strategies", "show", claimed.id, "--project", cli.project.id);
    const [heading, ...fields] = shown.stdout.trimEnd().split("\n");
    expect(heading).toBe(`lr-range-test run ${claimed.id}: completed`);
    // The numbers (in the order the database keeps the keys), then the series.
    const rows = fields.map((line) => line.split(/ {2,}/));
    expect(rows.slice(0, 3)).toEqual(
      expect.arrayContaining([
        ["suggestedLr", "0.003"],
        ["minLossLr", "0.03"],
        ["diverged", "false"],
      ]),
    );
    expect(rows.slice(3)).toEqual([["curve", "0 entries (--json prints them)"]]);

    const failing = runStrategy("lr-range-test", "--wait", "--interval", "0.2");
    const doomed = await claimNextRun(runner.id, seen, failing);
    await failStrategyRun(cli.server.db, doomed.id, "the loss was NaN at step 3");
    expectOneLineFailure(
      await failing,
      `attune: lr-range-test run ${doomed.id} failed: the loss was NaN at step 3\n`,
    );
  });
});
