// A trial's model exported as a zipped Hugging Face folder: what the folder holds, that its weights
// read back into the checkpoint's model, and the download's access rules (those of the checkpoint).
import { readModelTokenizer, tokenizerFromJSON } from "@attune/core/data";
import { importHuggingFaceGPT2 } from "@attune/core/model";
import { loadCheckpoint, selectBackend } from "@attune/core/train";
import { getCheckpoint, writeMetrics } from "@attune/db";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { modelExportDownload } from "../src/downloads.ts";
import { storeCheckpoint } from "./checkpoints.ts";
import { APP_URL, type SignedUpUser, useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
  await selectBackend();
});

function exportOf(user: SignedUpUser, trialId: string, kind = "last") {
  return modelExportDownload(
    { headers: new Headers({ cookie: user.cookie }), db: api.db, auth: api.auth, appUrl: APP_URL },
    { trialId, kind },
  );
}

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
    const files = new Map(Object.entries(unzipSync(new Uint8Array(await response.arrayBuffer()))));
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
