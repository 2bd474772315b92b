// `attune trials export`: every trial of a study as CSV or JSONL, read back as a spreadsheet or a
// script would read it; `attune trials export-model`: a trial's model as a Hugging Face folder, or
// a LoRA trial's adapters alone in PEFT's layout.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTokenizer, tokenizerFolderFiles } from "@attune/core/data";
import {
  addLora,
  createGPT,
  disposeGPT,
  exportHuggingFaceGPT2,
  importHuggingFaceGPT2,
  type LoraConfig,
} from "@attune/core/model";
import { Random } from "@attune/core/random";
import {
  disposeWithBase,
  saveCheckpoint as encodeCheckpoint,
  Optimizer,
  selectBackend,
} from "@attune/core/train";
import { createNextTrial, saveCheckpoint, updateTrial } from "@attune/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneLineFailure, specYaml, startProjectHarness } from "./harness.ts";

let cli: Awaited<ReturnType<typeof startProjectHarness>>;
let studyId: string;

/** A text that needs every kind of CSV quoting: a comma, quotes and a line break. */
const AWKWARD = 'adam, "fused"\nv2';

beforeAll(async () => {
  cli = await startProjectHarness("trials");
  const study = await cli.client.studies.create.mutate({
    projectId: cli.project.id,
    spec: specYaml("exported", cli.dataset.name),
  });
  studyId = study.id;
  const { db } = cli.server;
  const completed = await createNextTrial(db, { studyId, params: { lr: 0.001, note: AWKWARD } });
  await updateTrial(db, completed.id, { state: "completed", values: [1.75], lastStep: 10 });
  const failed = await createNextTrial(db, { studyId, params: { lr: 0.02 } });
  await updateTrial(db, failed.id, { state: "failed", error: "loss diverged" });
  await createNextTrial(db, { studyId, params: { lr: 0.005, note: "plain" } });
});

afterAll(async () => {
  await cli?.server.stop();
});

/** RFC 4180 as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and breaks. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += char;
  }
  expect({ row, field }).toEqual({ row: [], field: "" });
  return rows;
}

describe("attune trials export", () => {
  it("writes CSV with a header, one column per parameter and objective, that reads back into the trials", async () => {
    const exported = await cli.attune("trials", "export", studyId, "--format", "csv");
    expect(exported.code).toBe(0);
    const [header, ...rows] = readCsv(exported.stdout);
    expect(header).toEqual([
      "number",
      "id",
      "state",
      "params.lr",
      "params.note",
      "values.val_loss",
      "lastStep",
      "startedAt",
      "finishedAt",
      "error",
    ]);
    const { trials } = await cli.client.trials.list.query({ studyId });
    expect(rows).toEqual([
      ["0", trials[0]?.id, "completed", "0.001", AWKWARD, "1.75", "10", "", "", ""],
      ["1", trials[1]?.id, "failed", "0.02", "", "", "0", "", "", "loss diverged"],
      ["2", trials[2]?.id, "queued", "0.005", "plain", "", "0", "", "", ""],
    ]);
  });

  it("writes JSONL of the trials as the API gives them, into a file when asked", async () => {
    const file = join(cli.home, "trials.jsonl");
    const saved = await cli.attune("trials", "export", studyId, "--format", "jsonl", "-o", file);
    expect(saved).toMatchObject({
      code: 0,
      stdout: `3 trials of study exported saved in ${file}\n`,
    });
    const lines = (await readFile(file, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    const { trials } = await cli.client.trials.list.query({ studyId });
    // Dates travel as ISO text in JSON.
    expect(lines.map((line) => JSON.parse(line))).toEqual(JSON.parse(JSON.stringify(trials)));
  });

  it("exports every trial, past the API's page of 500", async () => {
    const study = await cli.client.studies.create.mutate({
      projectId: cli.project.id,
      spec: specYaml("large", cli.dataset.name, { trials: 600 }),
    });
    for (let number = 0; number < 501; number++) {
      await createNextTrial(cli.server.db, { studyId: study.id, params: { lr: 0.001 } });
    }
    const exported = await cli.attune("trials", "export", study.id);
    const numbers = readCsv(exported.stdout)
      .slice(1)
      .map((row) => Number(row[0]));
    expect(numbers).toEqual(Array.from({ length: 501 }, (_, number) => number));
  });

  it("refuses a format it does not write, in one line", async () => {
    expectOneLineFailure(
      await cli.attune("trials", "export", studyId, "--format", "xlsx"),
      '--format must be csv or jsonl, not "xlsx"',
    );
  });
});

const tinyConfig = { vocabSize: 257, seqLen: 8, layers: 1, dModel: 8, heads: 2 };

/**
 * An untrained model's checkpoint with a byte tokenizer, stored as a trial's best; with `lora`,
 * fresh adapters on the GPT-2 folder `base`.
 */
async function storeBestCheckpoint(
  trialId: string,
  lora?: { base: Map<string, Uint8Array>; config: LoraConfig },
) {
  await selectBackend();
  const model = lora
    ? addLora(importHuggingFaceGPT2(lora.base), lora.config, 1)
    : createGPT(tinyConfig, 1);
  const optimizer = new Optimizer({ kind: "adamw" }, model.parameters);
  const bytes = await encodeCheckpoint({
    model,
    optimizer,
    trainer: { step: 5, tokensSeen: 40, random: new Random(0).getState(), initialLoss: undefined },
    sampler: null,
    tokenizer: createTokenizer("byte").toJSON(),
    finetune: lora && { mode: "lora", lora: lora.config },
  });
  disposeWithBase(model);
  optimizer.dispose();
  await saveCheckpoint(cli.server.db, {
    trialId,
    kind: "best",
    step: 5,
    data: Buffer.from(bytes),
    sizeBytes: bytes.byteLength,
  });
}

describe("attune trials export-model", () => {
  it("writes the trial's model as a Hugging Face folder", async () => {
    const trial = await createNextTrial(cli.server.db, { studyId, params: { lr: 0.002 } });
    await storeBestCheckpoint(trial.id);
    const folder = join(cli.home, "exported-model");
    const result = await cli.attune("trials", "export-model", trial.id, "-o", folder, "--json");
    expect(result.code).toBe(0);
    const saved = JSON.parse(result.stdout);
    expect(saved).toMatchObject({ trialId: trial.id, checkpoint: "best", savedTo: folder });
    const files = (await readdir(folder)).sort();
    expect(files).toEqual(saved.files.map((file: { name: string }) => file.name).sort());
    expect(files).toEqual(
      expect.arrayContaining(["config.json", "model.safetensors", "tokenizer.json"]),
    );
    const config = JSON.parse(await readFile(join(folder, "config.json"), "utf8"));
    expect(config).toMatchObject({ model_type: "gpt2", n_embd: 8, n_layer: 1, vocab_size: 257 });
  });

  it("says which checkpoint is missing, and refuses a kind it does not know", async () => {
    const trial = await createNextTrial(cli.server.db, { studyId, params: { lr: 0.003 } });
    const missing = await cli.attune(
      "trials",
      "export-model",
      trial.id,
      "--checkpoint",
      "last",
      "-o",
      cli.home,
    );
    expectOneLineFailure(missing, `trial ${trial.id} has no last checkpoint`);
    expectOneLineFailure(
      await cli.attune(
        "trials",
        "export-model",
        trial.id,
        "--checkpoint",
        "newest",
        "-o",
        cli.home,
      ),
      '--checkpoint must be best or last, not "newest"',
    );
  });

  it("--adapter writes a LoRA trial's adapters alone in PEFT's layout; refuses a trial not LoRA", async () => {
    // The study's model: a GPT-2 folder with a byte tokenizer, uploaded to the project.
    const model = createGPT(tinyConfig, 2);
    const base = exportHuggingFaceGPT2(model);
    disposeGPT(model);
    for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte")))
      base.set(name, bytes);
    const baseFolder = join(cli.home, "lora-base");
    await mkdir(baseFolder);
    for (const [name, bytes] of base) await writeFile(join(baseFolder, name), bytes);
    await cli.attuneJson("models", "upload", baseFolder, "--project", cli.project.id);
    const study = await cli.client.studies.create.mutate({
      projectId: cli.project.id,
      spec: `${specYaml("adapters", cli.dataset.name, { fixed: "{ finetune: lora }" })}model: lora-base\n`,
    });
    const trial = await createNextTrial(cli.server.db, {
      studyId: study.id,
      params: { lr: 0.002 },
    });
    const config: LoraConfig = { rank: 2, alpha: 2, dropout: 0, targets: ["query"], rslora: false };
    await storeBestCheckpoint(trial.id, { base, config });

    const folder = join(cli.home, "exported-adapters");
    const saved = await cli.attuneJson<{ files: { name: string }[] }>(
      "trials",
      "export-model",
      trial.id,
      "--adapter",
      "-o",
      folder,
    );
    const files = (await readdir(folder)).sort();
    expect(files).toEqual(saved.files.map((file) => file.name).sort());
    expect(files).toEqual(
      expect.arrayContaining(["adapter_config.json", "adapter_model.safetensors", "README.md"]),
    );
    expect(files).not.toContain("model.safetensors");
    const adapterConfig = JSON.parse(await readFile(join(folder, "adapter_config.json"), "utf8"));
    expect(adapterConfig).toMatchObject({
      peft_type: "LORA",
      base_model_name_or_path: "lora-base",
      r: 2,
      target_modules: ["attn.c_attn"],
    });

    const full = await createNextTrial(cli.server.db, { studyId, params: { lr: 0.004 } });
    await storeBestCheckpoint(full.id);
    expectOneLineFailure(
      await cli.attune("trials", "export-model", full.id, "--adapter", "-o", cli.home),
      `exporting the LoRA adapters of the best checkpoint of trial ${full.id} failed (HTTP 400): trial ${full.id}'s best checkpoint does not export as PEFT adapters: the checkpoint trained with finetune: full, not lora`,
    );
  });
});
