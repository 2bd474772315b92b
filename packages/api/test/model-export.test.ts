// A trial's model exported as a zipped Hugging Face folder: what the folder holds, that its weights
// read back into the checkpoint's model, and the download's access rules (those of the checkpoint).
// A LoRA trial's adapters alone (?format=peft): PEFT's files, which read back onto the study's model.
import { createTokenizer, readModelTokenizer, tokenizerFromJSON } from "@attune/core/data";
import { importHuggingFaceGPT2, importPeftLora, type LoraConfig } from "@attune/core/model";
import { disposeWithBase, loadCheckpoint, selectBackend } from "@attune/core/train";
import { createNextTrial, createStudy, getCheckpoint, writeMetrics } from "@attune/db";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { modelExportDownload } from "../src/downloads.ts";
import { storeCheckpoint, storeLoraCheckpoint } from "./checkpoints.ts";
import { APP_URL, type SignedUpUser, useApi } from "./harness.ts";
import { gpt2Folder, upload } from "./model-folders.ts";
import { type People, SAMPLE_JSONL, seedWorld, signUpPeople, studySpecText } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
  await selectBackend();
});

function exportOf(user: SignedUpUser, trialId: string, kind = "last", query = "") {
  return modelExportDownload(
    { headers: new Headers({ cookie: user.cookie }), db: api.db, auth: api.auth, appUrl: APP_URL },
    { trialId, kind },
    new URLSearchParams(query),
  );
}

const unzipped = async (response: Response) =>
  new Map(Object.entries(unzipSync(new Uint8Array(await response.arrayBuffer()))));

describe("a model export", () => {
  it("is a Hugging Face folder whose weights are the checkpoint's, with a card naming the trial", async () => {
    const world = await seedWorld(api.db, people);
    const trialId = world.bestTrial.id;
    await storeCheckpoint(api.db, trialId);
    await writeMetrics(api.db, [{ trialId, key: "val_loss", step: 0, value: 2.75 }]);

    const response = await exportOf(people.viewer, trialId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="running-trial-${world.bestTrial.number}-last-step-0.zip"`,
    );
    const files = await unzipped(response);
    expect([...files.keys()].sort()).toEqual(
      [
        "README.md",
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
      ].sort(),
    );

    const stored = await getCheckpoint(api.db, trialId, "last");
    const original = loadCheckpoint(new Uint8Array(stored?.data ?? []));
    const reimported = importHuggingFaceGPT2(files);
    const tokenizer = readModelTokenizer(files, reimported.config.vocabSize);
    const originalTokenizer = tokenizerFromJSON(original.tokenizer);
    expect(tokenizer.encode('the dog sat at {"night"}')).toEqual(
      originalTokenizer.encode('the dog sat at {"night"}'),
    );
    for (const [name, parameter] of original.model.parameters) {
      const copy = reimported.parameters.get(name);
      expect(copy?.shape, name).toEqual(parameter.shape);
      expect(copy?.dataSync(), name).toEqual(parameter.dataSync());
    }

    const card = new TextDecoder().decode(files.get("README.md"));
    expect(card).toMatch(/^---\nlibrary_name: transformers\n/);
    expect(card).toContain(
      `study "running" (\`${world.runningStudy.id}\`), trial ${world.bestTrial.number}`,
    );
    expect(card).toContain("| lr | 0.003 |");
    expect(card).toContain("| val_loss | 2.75 |");
  });

  it("follows the checkpoint download's rules: hidden from other teams, 404 without a checkpoint", async () => {
    const world = await seedWorld(api.db, people);
    const trialId = world.bestTrial.id;
    expect((await exportOf(people.viewer, trialId)).status).toBe(404);
    await storeCheckpoint(api.db, trialId);
    const hidden = await exportOf(people.outsider, trialId);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual({
      error: { code: "NOT_FOUND", message: `trial ${trialId} not found` },
    });
    expect((await exportOf(people.viewer, trialId, "newest")).status).toBe(400);
  });
});

describe("a LoRA trial's adapter export (?format=peft)", () => {
  it("is PEFT's adapter files naming the study's model, which read back onto it", async () => {
    const world = await seedWorld(api.db, people);
    // The study's model: a GPT-2 folder of the char tokenizer's vocabulary, uploaded to the project.
    const vocabSize = createTokenizer("char", SAMPLE_JSONL).vocabSize;
    const base = gpt2Folder({ vocabSize, dModel: 16 });
    await upload(api.as(people.member), world.project.id, "base-gpt2", base);
    const study = await createStudy(api.db, {
      projectId: world.project.id,
      name: "lora",
      spec: {
        ...JSON.parse(studySpecText("lora", world.dataset.name)),
        model: "base-gpt2",
        fixed: { finetune: "lora", lora_r: 2, lora_alpha: 4 },
      },
      seed: 7,
    });
    const trial = await createNextTrial(api.db, { studyId: study.id, params: { lr: 0.003 } });
    const lora: LoraConfig = {
      rank: 2,
      alpha: 4,
      dropout: 0,
      targets: ["query", "value"],
      rslora: false,
    };
    const adapters = await storeLoraCheckpoint(api.db, trial.id, base, lora);

    const response = await exportOf(people.viewer, trial.id, "last", "format=peft");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="lora-trial-${trial.number}-last-step-0-peft.zip"`,
    );
    const files = await unzipped(response);
    expect([...files.keys()].sort()).toEqual(
      [
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
      ].sort(),
    );
    const config = JSON.parse(new TextDecoder().decode(files.get("adapter_config.json")));
    expect(config).toMatchObject({
      peft_type: "LORA",
      base_model_name_or_path: "base-gpt2",
      target_modules: ["attn.c_attn"],
    });
    const card = new TextDecoder().decode(files.get("README.md"));
    expect(card).toMatch(/^---\nlibrary_name: peft\nbase_model: "base-gpt2"\n/);
    expect(card).toContain("| lora_r | 2 |");
    const imported = importPeftLora(importHuggingFaceGPT2(base), files);
    const values = [...imported.parameters].map(([name, v]) => [name, [...v.dataSync()]]);
    expect(values).toEqual([...adapters]);
    disposeWithBase(imported);

    // Without the format, the same checkpoint exports merged, as before.
    const merged = await unzipped(await exportOf(people.viewer, trial.id));
    expect(merged.has("model.safetensors")).toBe(true);
    expect(merged.has("adapter_config.json")).toBe(false);
  });

  it("is refused for a trial that is not LoRA, and for an unknown format", async () => {
    const world = await seedWorld(api.db, people);
    const trialId = world.bestTrial.id;
    await storeCheckpoint(api.db, trialId);
    const refused = await exportOf(people.viewer, trialId, "last", "format=peft");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: {
        code: "BAD_REQUEST",
        message: `trial ${trialId}'s last checkpoint does not export as PEFT adapters: the checkpoint trained with finetune: full, not lora, so it has no adapters to export alone: export it merged (leave out format=peft)`,
      },
    });
    expect((await exportOf(people.viewer, trialId, "last", "format=onnx")).status).toBe(400);
  });
});
