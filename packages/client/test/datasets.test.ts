// `attune datasets list` and `attune strategies run sequence-length`: a project's datasets, and the
// sequence length their samples call for, measured at once by the server.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneLineFailure, startProjectHarness } from "./harness.ts";

let cli: Awaited<ReturnType<typeof startProjectHarness>>;

beforeAll(async () => {
  cli = await startProjectHarness("datasets");
});

afterAll(async () => {
  await cli?.server.stop();
});

describe("attune datasets list", () => {
  it("lists the project's datasets with their size and statistics", async () => {
    const file = join(cli.home, "story.txt");
    await writeFile(file, "once upon a time ".repeat(20));
    const uploaded = await cli.attuneJson<{ id: string }>(
      "datasets",
      "upload",
      file,
      "--project",
      cli.project.id,
    );

    const listed = await cli.attuneJson<{ id: string; name: string }[]>(
      "datasets",
      "list",
      "--project",
      cli.project.id,
    );
    expect(listed.map((dataset) => [dataset.id, dataset.name])).toEqual([
      [cli.dataset.id, "samples"],
      [uploaded.id, "story"],
    ]);

    const table = await cli.attune("datasets", "list", "--project", cli.project.id);
    expect(table.stdout.split("\n").map((line) => line.split(/ {2,}/))).toEqual([
      ["ID", "NAME", "FORMAT", "TASK", "TOKENIZER", "BYTES", "SAMPLES", "TOKENS"],
      [cli.dataset.id, "samples", "jsonl", "language-modelling", "char", "81", "2", "56"],
      [uploaded.id, "story", "text", "language-modelling", "char", "340", "1", "340"],
      [""],
    ]);
  });

  it("says so when a project has no datasets, and fails in one line without --project", async () => {
    const empty = await cli.client.projects.create.mutate({
      teamId: cli.server.team.id,
      name: "empty",
    });
    const result = await cli.attune("datasets", "list", "--project", empty.id);
    expect(result).toMatchObject({ code: 0, stdout: `project ${empty.id} has no datasets yet\n` });
    expectOneLineFailure(await cli.attune("datasets", "list"), "missing --project");
  });
});

describe("attune datasets upload", () => {
  const upload = (file: string, ...options: string[]) =>
    cli.attune("datasets", "upload", file, "--project", cli.project.id, ...options);

  it("reads a CSV file's columns as prompt/completion pairs, for instruction by default", async () => {
    const file = join(cli.home, "g2p.csv");
    await writeFile(file, "word,phonemes\nCAT,K AE1 T\nDOG,D AO1 G\n");
    const result = await upload(file, "--columns", "prompt=word, completion=phonemes");
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^uploaded dataset g2p \(prompt-completion, for instruction\): /);
  });

  it("takes the format and task of a JSONL file, and names the line of bad data", async () => {
    const file = join(cli.home, "chat.jsonl");
    const chat = {
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
      ],
    };
    await writeFile(file, JSON.stringify(chat));
    const uploaded = await cli.attuneJson<{ format: string; task: string }>(
      "datasets",
      "upload",
      file,
      "--project",
      cli.project.id,
      "--format",
      "chat",
      "--task",
      "dialogue",
      "--name",
      "chat",
    );
    expect(uploaded).toMatchObject({ format: "chat", task: "dialogue" });

    const bad = join(cli.home, "bad.jsonl");
    await writeFile(
      bad,
      `${JSON.stringify(chat)}\n{"messages": [{"role": "bot", "content": "x"}]}\n`,
    );
    expectOneLineFailure(
      await upload(bad, "--format", "chat"),
      'content: line 2: message 1: role "bot" is not one of system, user, assistant',
    );
  });

  it("refuses CSV without columns, malformed columns and columns of no format, in one line", async () => {
    const file = join(cli.home, "table.csv");
    await writeFile(file, "a,b\n1,2\n");
    expectOneLineFailure(await upload(file), "a CSV file needs --columns");
    expectOneLineFailure(await upload(file, "--columns", "prompt"), 'not "prompt"');
    expectOneLineFailure(
      await upload(file, "--columns", "prompt=a,assistant=b"),
      /columns: the columns are text \(and label\), prompt and completion, messages, or user and assistant/,
    );
  });
});

describe("attune strategies run sequence-length", () => {
  it("prints the recommended length measured from the samples, with flags or an options file", async () => {
    const request = {
      datasetId: cli.dataset.id,
      percentile: 50,
      rounding: "power-of-two",
    } as const;
    const expected = await cli.client.datasets.recommendSequenceLength.query(request);
    expect(expected).toMatchObject({ basis: "data" });

    const flags = [
      "strategies",
      "run",
      "sequence-length",
      "--dataset",
      cli.dataset.id,
      "--percentile",
      "50",
      "--rounding",
      "power-of-two",
    ];
    expect(await cli.attuneJson(...flags)).toEqual(expected);

    const file = join(cli.home, "sequence.yaml");
    await writeFile(file, "options: { percentile: 50, rounding: power-of-two }\n");
    const fromFile = await cli.attune(
      "strategies",
      "run",
      "sequence-length",
      "--dataset",
      cli.dataset.id,
      "-f",
      file,
    );
    expect(fromFile.code).toBe(0);
    const [summary, header, ...rows] = fromFile.stdout.trimEnd().split("\n");
    expect(summary).toMatch(
      new RegExp(
        `^sequence length ${expected.length} \\(the sample at the percentile has \\d+ tokens, rounded up\\): `,
      ),
    );
    expect(header?.split(/ {2,}/)).toEqual(["LENGTH", "SAMPLES CUT", "TOKENS LOST", "PADDING"]);
    expect(rows).toHaveLength(expected.basis === "data" ? expected.table.length : 0);
  });

  it("refuses options the server does not take, and trial settings, in one line", async () => {
    const run = (...args: string[]) =>
      cli.attune("strategies", "run", "sequence-length", "--dataset", cli.dataset.id, ...args);
    expectOneLineFailure(await run("--percentile", "120"), /percentile: .*\(BAD_REQUEST\)/);
    expectOneLineFailure(await run("--rounding", "odd"), /rounding: .*\(BAD_REQUEST\)/);
    const file = join(cli.home, "with-trial.yaml");
    await writeFile(file, "trial: { layers: 2 }\n");
    expectOneLineFailure(await run("-f", file), `${file}: sequence-length has no trial settings`);
  });
});
