// Fine-tuning in the browser: a small GPT-2 folder (made here, as a Hugging Face checkpoint would
// be) uploaded on the project page, a LoRA study on it set up on the new-study page with the rank
// searched, trained by the runner beside the app, its best trial's model downloaded as a Hugging
// Face folder that loads back into the same model, and made a model of the project.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenizer, tokenizerFolderFiles } from "@attune/core/data";
import {
  createGPT,
  disposeGPT,
  exportHuggingFaceModel,
  importHuggingFaceModel,
} from "@attune/core/model";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { unzipSync } from "fflate";
import { newPage, signUpWithMobyDick } from "../support/app.ts";
import {
  createStudy,
  fixOption,
  fixSetting,
  searchChoices,
  searchRange,
} from "../support/new-study.ts";
import { SCREENSHOT_VIEWPORT, saveScreenshot } from "../support/screenshots.ts";

const TRIALS = 2;

test.describe.configure({ mode: "serial", timeout: 120_000 });
test.use({ viewport: SCREENSHOT_VIEWPORT });

let page: Page;
let folder: string;
let studyName: string;

/** A randomly initialised GPT-2 of one small block with a byte tokenizer, as a checkpoint folder. */
async function writeTinyGpt2(parent: string): Promise<string> {
  const path = join(parent, "tiny-gpt2");
  await mkdir(path);
  const gpt = createGPT({ vocabSize: 257, seqLen: 64, layers: 1, dModel: 32, heads: 2 }, 7);
  const files = exportHuggingFaceModel(gpt, { bosTokenId: 256, eosTokenId: 256 });
  disposeGPT(gpt);
  for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte"))) files.set(name, bytes);
  for (const [name, bytes] of files) writeFileSync(join(path, name), bytes);
  return path;
}

/** Clicks a download link and reads the zip it gives, by file name. */
async function downloadZip(link: Locator): Promise<Record<string, Uint8Array>> {
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const zipPath = join(folder, download.suggestedFilename());
  await download.saveAs(zipPath);
  return unzipSync(readFileSync(zipPath));
}

test.beforeAll(async ({ browser }) => {
  page = await newPage(browser);
  folder = mkdtempSync(join(tmpdir(), "attune-finetune-"));
});

test.afterAll(async () => {
  await page.context().close();
  rmSync(folder, { recursive: true, force: true });
});

test("a Hugging Face folder is uploaded in parts and checked", async () => {
  await signUpWithMobyDick(page, "Quentin");
  const models = page.getByTestId("models");
  await models.getByLabel(/Hugging Face folder/).setInputFiles(await writeTinyGpt2(folder));
  // The folder names the model; each file gets its row with progress.
  await expect(models.getByLabel("Model name")).toHaveValue("tiny-gpt2");
  await expect(
    models.getByTestId("model-file").filter({ hasText: "model.safetensors" }),
  ).toHaveCount(1);
  await models.getByRole("button", { name: "Upload" }).click();
  await expect(models.getByRole("status")).toHaveText("Model tiny-gpt2 is ready.", {
    timeout: 60_000,
  });
  const row = models.getByTestId("model-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("gpt2");
  await expect(row).toContainText("ready");
});

test("a LoRA study on the model is set up on the new-study page and trained", async () => {
  test.setTimeout(300_000);
  await page.getByRole("link", { name: "New study" }).click();
  await expect(page).toHaveURL(/\/studies\/new$/);
  const form = page.getByTestId("study-form");
  await expect(form).toBeEnabled();
  studyName = `lora-whales-${Date.now()}`;
  await form.getByLabel("Name", { exact: true }).fill(studyName);
  await page.getByTestId("study-model").selectOption("tiny-gpt2");
  // The model decides the architecture: its rows leave the form, the sequence length stays.
  await expect(page.getByTestId("architecture-from-model")).toContainText("tiny-gpt2");
  await expect(page.getByTestId("param-d_model")).toHaveCount(0);
  // The dataset would suggest longer windows than the model's 64 positions read.
  await expect(page.getByTestId("recommended-seq-len")).toContainText("64 (the model's context");
  await fixOption(page, "finetune", "Fine-tuning", "lora");
  await searchChoices(page, "lora_r", "LoRA rank", "2, 4");
  await fixSetting(page, "lora_alpha", "LoRA alpha", "8");
  await searchRange(page, "lr", "Learning rate", { low: "0.003", high: "0.03", log: true });
  await fixSetting(page, "batch_size", "Batch size", "8");
  await fixSetting(page, "warmup_steps", "Warm-up steps", "5");
  await fixSetting(page, "seq_len", "Sequence length", "32");
  await fixSetting(page, "eval_every", "Evaluate every", "10");
  await form.getByLabel(/^Sampler/).selectOption({ label: "Random" });
  await form.getByLabel(/^Pruner/).selectOption({ label: "None" });
  await form.getByLabel("Trials", { exact: true }).fill(String(TRIALS));
  await form.getByLabel("In parallel", { exact: true }).fill("1");
  await form.getByLabel("Length of a trial in steps").fill("30");

  // The LR range test starts from the model too, as the trials will.
  await expect(page.getByTestId("lr-test-start")).toContainText(
    "It starts from the model tiny-gpt2",
  );
  const spec = page.getByTestId("spec-editor");
  await expect(spec).toHaveValue(/model: tiny-gpt2/);
  await expect(spec).toHaveValue(/finetune: lora/);
  await expect(spec).not.toHaveValue(/d_model/);
  await expect(page.getByTestId("spec-status")).toHaveText("The spec is valid.");
  await saveScreenshot(page, "finetune-study");
  await createStudy(page, { start: true });

  const training = { timeout: 240_000 };
  await expect(page.getByTestId("budget-trials")).toHaveText(`${TRIALS} / ${TRIALS}`, training);
  await expect(page.getByTestId("state-filter-completed")).toHaveText(
    new RegExp(`completed\\s*${TRIALS}`),
    training,
  );
  await expect(page.getByTestId("best-config")).toContainText("lora_r");
});

test("the best trial generates text and downloads as a Hugging Face folder", async () => {
  const bestLink = page.getByTestId("study-summary").getByRole("link", { name: /^trial #\d+$/ });
  await bestLink.click();
  await expect(page).toHaveURL(/\/trials\/[^/]+$/);

  // The playground merges the adapters into the model they were trained on.
  const playground = page.getByTestId("playground");
  await playground.getByLabel("Prompt").fill("Call me ");
  await playground.getByLabel("Max length").fill("20");
  await playground.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByTestId("generation-status")).toHaveText(/^Done: 20 tokens/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId("generated-text")).toContainText("Call me");

  const exported = page.getByTestId("export-best").or(page.getByTestId("export-last")).first();
  const files = await downloadZip(exported);
  expect(Object.keys(files).sort()).toEqual(
    expect.arrayContaining(["README.md", "config.json", "model.safetensors", "tokenizer.json"]),
  );
  const config = JSON.parse(new TextDecoder().decode(files["config.json"]));
  // The adapters are merged: the folder is a plain GPT-2 of the uploaded model's shape.
  expect(config).toMatchObject({ model_type: "gpt2", n_layer: 1, n_embd: 32, vocab_size: 257 });
  // And it loads back as that model.
  const loaded = importHuggingFaceModel(new Map(Object.entries(files)));
  expect(loaded.config).toMatchObject({ layers: 1, dModel: 32, vocabSize: 257 });
  disposeGPT(loaded);
  const card = new TextDecoder().decode(files["README.md"]);
  expect(card).toContain(studyName);
  expect(card).toContain("| finetune | lora |");

  // Or the adapters alone, in PEFT's layout, naming the model they go onto.
  const adapter = page
    .getByTestId("export-adapter-best")
    .or(page.getByTestId("export-adapter-last"))
    .first();
  const adapterFiles = await downloadZip(adapter);
  expect(Object.keys(adapterFiles)).toEqual(
    expect.arrayContaining(["adapter_config.json", "adapter_model.safetensors"]),
  );
  const adapterConfig = JSON.parse(new TextDecoder().decode(adapterFiles["adapter_config.json"]));
  expect(adapterConfig).toMatchObject({ peft_type: "LORA", base_model_name_or_path: "tiny-gpt2" });
});

test("the trial becomes a model of the project, which keeps the model its study starts from", async () => {
  const promote = page.getByTestId("promote-best").or(page.getByTestId("promote-last")).first();
  await promote.click();
  const promoted = page.getByRole("status").filter({ hasText: /^Model / });
  await expect(promoted).toHaveText(/^Model .+-trial-\d+-(best|last) is ready$/, {
    timeout: 60_000,
  });
  const name = ((await promoted.getByRole("link").textContent()) ?? "").trim();
  await promoted.getByRole("link").click();

  const models = page.getByTestId("models");
  await expect(models.getByTestId("model-row")).toHaveCount(2);
  const base = models.getByTestId("model-row").filter({ hasText: "tiny-gpt2" });
  await base.getByRole("button", { name: "Delete" }).click();
  await base.getByRole("button", { name: "Delete" }).click();
  await expect(base).toBeVisible();
  await expect(models.getByRole("alert")).toContainText(
    `is where study "${studyName}" starts from`,
  );
  const copy = models.getByTestId("model-row").filter({ hasText: name });
  await copy.getByRole("button", { name: "Delete" }).click();
  await copy.getByRole("button", { name: "Delete" }).click();
  await expect(models.getByTestId("model-row")).toHaveCount(1);
});
