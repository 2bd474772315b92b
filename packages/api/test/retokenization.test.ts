// A study that starts from a model re-tokenizes its dataset with the model's tokenizer: the
// dataset page lists those studies, and counts the dataset's tokens under each model's tokenizer.
import { createTokenizer, tokenizerFolderFiles } from "@attune/core/data";
import { selectBackend } from "@attune/core/train";
import { sequenceLengthFromData } from "@attune/core/tuning";
import { createDataset, createProject } from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "./harness.ts";
import { gpt2Folder, upload } from "./model-folders.ts";
import { type People, seedWorld, signUpPeople, studySpecText } from "./world.ts";

const api = useApi();
let people: People;
let world: Awaited<ReturnType<typeof seedWorld>>;

/** Texts whose UTF-8 bytes outnumber their characters: 11 + 10 characters, 13 + 12 bytes. */
const TEXTS = ["héllo wörld", "naïve café"];

beforeAll(async () => {
  await selectBackend();
  people = await signUpPeople(api);
  world = await seedWorld(api.db, people);
});

const member = () => api.as(people.member);

/** A GPT-2 folder whose tokenizer is the byte tokenizer's: byte b is token b, end-of-text 256. */
function byteTokenizerFolder() {
  const folder = gpt2Folder({ vocabSize: 257, dModel: 16 });
  folder.delete("vocab.json");
  for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte")))
    folder.set(name, bytes);
  return folder;
}

async function accentedDataset(projectId: string, name: string) {
  return createDataset(api.db, {
    projectId,
    name,
    source: "upload",
    origin: `${name}.jsonl`,
    format: "jsonl",
    tokenizer: "char",
    content: TEXTS.map((text) => JSON.stringify({ text })).join("\n"),
  });
}

describe("a dataset's studies that start from a model", () => {
  it("are listed with their model, and the dataset counted under the model's tokenizer", async () => {
    const projectId = world.project.id;
    const dataset = await accentedDataset(projectId, "accented");
    const { model } = await upload(member(), projectId, "byte-gpt2", byteTokenizerFolder());
    if (!model) throw new Error("the upload did not complete");
    const create = (name: string, fields: object) =>
      member().studies.create({
        projectId,
        spec: JSON.stringify({ ...JSON.parse(studySpecText(name, dataset.name)), ...fields }),
      });
    const byName = await create("from-model-by-name", { model: "byte-gpt2" });
    const byId = await create("from-model-by-id", { dataset: dataset.id, model: model.id });
    await create("from-scratch", {});
    await member().studies.create({
      projectId,
      spec: JSON.stringify({
        ...JSON.parse(studySpecText("other-dataset", world.dataset.name)),
        model: "byte-gpt2",
      }),
    });

    const listed = await member().datasets.studiesFromModels({ datasetId: dataset.id });
    const expectedModel = { id: model.id, name: "byte-gpt2", status: "ready" };
    expect(listed).toEqual([
      {
        study: { id: byId.id, name: "from-model-by-id", status: "draft" },
        modelReference: model.id,
        model: expectedModel,
      },
      {
        study: { id: byName.id, name: "from-model-by-name", status: "draft" },
        modelReference: "byte-gpt2",
        model: expectedModel,
      },
    ]);

    const counted = await member().datasets.tokensUnderModel({
      datasetId: dataset.id,
      model: model.id,
    });
    // One token per UTF-8 byte, where the dataset's own char tokenizer has one per character.
    const bytes = TEXTS.reduce((sum, text) => sum + new TextEncoder().encode(text).length, 0);
    expect(counted).toEqual({ vocabularySize: 257, tokens: bytes });
    expect(bytes).toBe(25);
  });

  it("are counted only with a ready model of the dataset's project that has a tokenizer", async () => {
    const dataset = await accentedDataset(world.project.id, "accented-again");
    await expect(
      member().datasets.tokensUnderModel({ datasetId: dataset.id, model: world.readyModel.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: 'model "ready" has no tokenizer files',
    });
    await expect(
      member().datasets.tokensUnderModel({ datasetId: dataset.id, model: world.uploadingModel.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: 'model "uploading" is uploading, not ready',
    });
    const elsewhere = await createProject(api.db, { teamId: world.team.id, name: "elsewhere" });
    const { model } = await upload(member(), elsewhere.id, "byte-gpt2", byteTokenizerFolder());
    await expect(
      member().datasets.tokensUnderModel({ datasetId: dataset.id, model: model?.id as string }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("measure the dataset's samples for the new-study page in the model's tokens", async () => {
    const projectId = world.project.id;
    // Six and five characters; twelve and ten bytes, one byte tokenizer token each.
    const dataset = await createDataset(api.db, {
      projectId,
      name: "accents",
      source: "upload",
      origin: "accents.jsonl",
      format: "jsonl",
      tokenizer: "char",
      content: ["éééééé", "ééééé"].map((text) => JSON.stringify({ text })).join("\n"),
    });
    const { model } = await upload(member(), projectId, "byte-gpt2-2", byteTokenizerFolder());
    const [inChars, inBytes] = await Promise.all([
      member().datasets.recommendSequenceLength({ datasetId: dataset.id }),
      member().datasets.recommendSequenceLength({ datasetId: dataset.id, model: model?.id }),
    ]);
    expect(inChars).toMatchObject({ basis: "data", ...sequenceLengthFromData([6, 5]) });
    expect(inBytes).toMatchObject({ basis: "data", ...sequenceLengthFromData([12, 10]) });
    expect(inBytes.length).toBeGreaterThan(inChars.length);
    await expect(
      member().datasets.recommendSequenceLength({
        datasetId: dataset.id,
        model: world.readyModel.id,
      }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});
