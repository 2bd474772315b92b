import { selectBackend } from "@attune/core/train";
import { MODEL_PART_BYTES, storedChunkIndexes } from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { storeCheckpoint } from "./checkpoints.ts";
import { useApi } from "./harness.ts";
import { fileSpecs, gpt2Folder, json, upload } from "./model-folders.ts";
import { type People, seedWorld, signUpPeople, studySpecText } from "./world.ts";

const api = useApi();
let people: People;
let world: Awaited<ReturnType<typeof seedWorld>>;

beforeAll(async () => {
  await selectBackend();
  people = await signUpPeople(api);
  world = await seedWorld(api.db, people);
});

const member = () => api.as(people.member);
const projectId = () => world.project.id;
let uploads = 0;
/** A model name of its own per upload. */
const nextName = () => `model-${++uploads}`;

/** The folder with one file replaced. */
function withFile(name: string, bytes: Uint8Array) {
  return new Map([...gpt2Folder(), [name, bytes]]);
}

describe("a model folder upload", () => {
  it("is checked and ready, with the weights' size, parameters and hash", async () => {
    const folder = gpt2Folder();
    const { model } = await upload(member(), projectId(), nextName(), folder);
    const weights = folder.get("model.safetensors") as Uint8Array;
    // Tied GPT-2 of 40 tokens, 8 positions, 16 dimensions and one block with an MLP of 64.
    const [embeddings, norms] = [40 * 16 + 8 * 16, 3 * 2 * 16];
    const block = 16 * 48 + 48 + 16 * 16 + 16 + 16 * 64 + 64 + 64 * 16 + 16;
    const parameters = embeddings + norms + block;
    expect(model).toMatchObject({
      status: "ready",
      error: null,
      source: "upload",
      architecture: "gpt2",
      tokenizer: "vocab.json",
      parameterCount: parameters,
    });
    expect(model?.sizeBytes).toBeGreaterThan(weights.length);
    const listed = await member().models.list({ projectId: projectId() });
    // Its context, for the new-study page's sequence lengths: GPT-2's n_positions.
    expect(listed.find((m) => m.id === model?.id)?.contextLength).toBe(8);
  });

  it("of the same files again is the same ready model, and under another name sends nothing", async () => {
    const folder = gpt2Folder();
    const name = nextName();
    const first = await upload(member(), projectId(), name, folder);
    const again = await upload(member(), projectId(), name, folder);
    expect(again.state).toMatchObject({ modelId: first.model?.id, status: "ready" });
    const copy = await upload(member(), projectId(), nextName(), folder);
    expect(copy.state.files.every((file) => file.held)).toBe(true);
    expect(copy.model?.status).toBe("ready");
  });

  it("cut off half way resumes with the parts it has and completes", async () => {
    // Over one part: 4200 tokens × 256 dimensions of float32 is 4.3 MB of embedding alone.
    const folder = gpt2Folder({ vocabSize: 4200, dModel: 256 });
    const weights = folder.get("model.safetensors") as Uint8Array;
    expect(weights.length).toBeGreaterThan(MODEL_PART_BYTES);
    const name = nextName();
    const cut = await upload(member(), projectId(), name, folder, 2);
    expect(cut.model).toBeUndefined();
    await expect(member().models.complete({ modelId: cut.state.modelId })).rejects.toThrow(
      /parts still to send: .*model\.safetensors: /,
    );
    const progress = await member().models.progress({ modelId: cut.state.modelId });
    expect(progress.files.reduce((sum, file) => sum + file.present.length, 0)).toBe(2);
    const resumed = await upload(member(), projectId(), name, folder);
    expect(resumed.state.modelId).toBe(cut.state.modelId);
    expect(resumed.model).toMatchObject({ status: "ready", parameterCount: expect.any(Number) });
  });

  it.each([
    [
      "truncated safetensors",
      () => {
        const weights = gpt2Folder().get("model.safetensors") as Uint8Array;
        return withFile("model.safetensors", weights.subarray(0, weights.length - 10));
      },
      /model\.safetensors: tensor ".*" ends at byte \d+, past the \d+-byte buffer/,
    ],
    [
      "header offsets that lie",
      () => {
        const weights = new Uint8Array(gpt2Folder().get("model.safetensors") as Uint8Array);
        const text = Buffer.from(weights)
          .toString("latin1")
          .replace('"data_offsets":[0,', '"data_offsets":[4,');
        return withFile("model.safetensors", Buffer.from(text, "latin1"));
      },
      /bytes 0\.\.4 between the start of the buffer and tensor ".*" belong to no tensor/,
    ],
    [
      "a config whose shapes are not the weights'",
      () => {
        const config = JSON.parse(
          Buffer.from(gpt2Folder().get("config.json") as Uint8Array).toString(),
        );
        return withFile("config.json", json({ ...config, n_embd: 32 }));
      },
      /tensor "wte\.weight" has shape \[40,16\], but config\.json implies \[40,32\]/,
    ],
    [
      "a tokenizer larger than the embedding",
      () =>
        withFile(
          "vocab.json",
          json(Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`t${i}`, i]))),
        ),
      /the tokenizer has 41 tokens, but the embedding has 40 rows/,
    ],
    [
      "an unknown model_type",
      () => {
        const config = JSON.parse(
          Buffer.from(gpt2Folder().get("config.json") as Uint8Array).toString(),
        );
        return withFile("config.json", json({ ...config, model_type: "bert" }));
      },
      /config\.json is not an importable model: model_type "bert" is not one of gpt2, llama/,
    ],
    [
      "pickled weights",
      () => {
        const folder = gpt2Folder();
        folder.delete("model.safetensors");
        folder.set("pytorch_model.bin", Uint8Array.from([0x50, 0x4b, 3, 4, 1, 2, 3]));
        return folder;
      },
      /pytorch_model\.bin: .*Convert the checkpoint to safetensors/,
    ],
  ])("with %s fails, saying why", async (_what, makeFolder, reason) => {
    const { model } = await upload(member(), projectId(), nextName(), makeFolder());
    expect(model?.status).toBe("failed");
    expect(model?.error).toMatch(reason);
  });

  it("refuses a part that is not the bytes of the file's hash, and a file whose hash lies", async () => {
    const folder = gpt2Folder();
    const specs = fileSpecs(folder);
    const config = specs.find((file) => file.name === "config.json");
    if (!config) throw new Error("the folder has no config.json");
    // A hash of other bytes of the same size: the part is stored, the file fails its hash.
    const lie = { ...config, sha256: "0".repeat(64) };
    const state = await member().models.begin({
      projectId: projectId(),
      name: nextName(),
      files: specs.map((file) => (file.name === "config.json" ? lie : file)),
    });
    for (const file of state.files) {
      await member().models.part({
        modelId: state.modelId,
        file: file.name,
        index: 0,
        bytes: Buffer.from(folder.get(file.name) as Uint8Array).toString("base64"),
      });
    }
    const failed = await member().models.complete({ modelId: state.modelId });
    expect(failed.error).toMatch(/config\.json: its bytes do not hash to the SHA-256 given/);
    expect(await storedChunkIndexes(api.db, lie.sha256)).toEqual([]);
  });
});

describe("models of another team", () => {
  it("cannot be read, and their files' hashes do not stand in for their bytes", async () => {
    const folder = gpt2Folder();
    const { model } = await upload(member(), projectId(), nextName(), folder);
    const outsider = api.as(people.outsider);
    await expect(outsider.models.get({ modelId: model?.id as string })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      outsider.models.begin({ projectId: projectId(), name: "x", files: fileSpecs(folder) }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      api
        .as(people.viewer)
        .models.begin({ projectId: projectId(), name: "x", files: fileSpecs(folder) }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    // The outsider's own team claims the same files: it must send every part.
    const elsewhere = await outsider.projects.create({
      teamId: (await outsider.teams.list()).find((team) => team.slug.startsWith("elsewhere"))
        ?.id as string,
      name: "theirs",
    });
    const claim = await outsider.models.begin({
      projectId: elsewhere.id,
      name: "copy",
      files: fileSpecs(folder),
    });
    expect(claim.files.every((file) => !file.held && file.present.length === 0)).toBe(true);
    await expect(outsider.models.complete({ modelId: claim.modelId })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });
});

describe("a trial's checkpoint", () => {
  it("is promoted to a ready GPT-2 model of the trial's project", async () => {
    await storeCheckpoint(api.db, world.bestTrial.id);
    const model = await member().models.promote({ trialId: world.bestTrial.id, kind: "last" });
    expect(model).toMatchObject({
      projectId: projectId(),
      source: "trial",
      status: "ready",
      architecture: "gpt2",
      tokenizer: "tokenizer.json",
      name: `running-trial-${world.bestTrial.number}-last`,
    });
    const files = (await member().models.get({ modelId: model.id })).files.map((file) => file.name);
    expect(files).toEqual([
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });
});

describe("a study that starts from a model", () => {
  const spec = (name: string, model: string) =>
    JSON.stringify({ ...JSON.parse(studySpecText(name, world.dataset.name)), model });

  it("names a ready model of its project, else says what is wrong with it", async () => {
    const created = await member().studies.create({
      projectId: projectId(),
      spec: spec("from-ready", "ready"),
    });
    expect(created.spec).toMatchObject({ model: "ready" });
    await expect(
      member().studies.create({
        projectId: projectId(),
        spec: spec("from-uploading", "uploading"),
      }),
    ).rejects.toThrow(
      /model: model "uploading" is uploading: trials start only from a ready model/,
    );
    await expect(
      member().studies.create({ projectId: projectId(), spec: spec("from-nothing", "nope") }),
    ).rejects.toThrow(/model: the project has no model "nope"/);
  });

  it("keeps its model from being deleted, which a model no study uses is", async () => {
    const listed = await member().models.list({ projectId: projectId() });
    const used = listed.find((model) => model.name === "ready");
    await expect(member().models.delete({ modelId: used?.id ?? "" })).rejects.toThrow(
      /model "ready" is where study "from-ready" starts from: delete that study first/,
    );
    const { model: unused } = await upload(member(), projectId(), nextName(), gpt2Folder());
    await expect(member().models.delete({ modelId: unused?.id ?? "" })).resolves.toEqual({
      deleted: unused?.id,
    });
    const after = await member().models.list({ projectId: projectId() });
    expect(after.map((model) => model.id)).toEqual(expect.arrayContaining([used?.id]));
    expect(after.map((model) => model.id)).not.toContain(unused?.id);
  });
});

describe("a strategy run that starts from a model", () => {
  const lrRangeTest = (model: string, trial: Record<string, number> = {}) =>
    member().strategies.create({
      datasetId: world.dataset.id,
      kind: "lr-range-test",
      model,
      trial,
    });

  it("names a ready model of the dataset's project, by name or id", async () => {
    expect((await lrRangeTest("ready")).settings).toMatchObject({ model: "ready" });
    const byId = await lrRangeTest(world.readyModel.id);
    expect(byId.settings).toMatchObject({ model: world.readyModel.id });
  });

  it("is refused a model that is not ready, not the project's, or settings the model decides", async () => {
    await expect(lrRangeTest("uploading")).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^model: model "uploading" is uploading: trials start only/),
    });
    await expect(lrRangeTest("nope")).rejects.toThrow(/^model: the project has no model "nope"/);
    const other = await seedWorld(api.db, people);
    await expect(lrRangeTest(other.readyModel.id)).rejects.toThrow(
      `model: the project has no model "${other.readyModel.id}"`,
    );
    await expect(lrRangeTest("ready", { d_model: 64 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining('trial.d_model: "d_model" comes from the model "ready"'),
    });
  });
});
