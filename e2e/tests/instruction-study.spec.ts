// An instruction study in the browser, from the data to what the model wrote: prompt/completion
// pairs uploaded on the project page, read on the dataset page with the trained-on tokens marked, a
// study on the new-study page that maximises chrF, trained by the runner beside the app, and the
// trial page's generated samples beside their references, the model's export, and a chat in its
// playground.
import { expect, type Page, test } from "@playwright/test";
import { createProject, createTeam, newPage } from "../support/app.ts";
import { newPerson, signUp } from "../support/auth.ts";
import { createStudy, fixSetting, searchRange } from "../support/new-study.ts";

test.describe.configure({ mode: "serial", timeout: 120_000 });

let page: Page;
let studyId: string;

/** Every three-letter word over "abcd", its completion the word reversed: 64 pairs. */
function reversalsJsonl(): string {
  const letters = ["a", "b", "c", "d"];
  const words = letters.flatMap((x) => letters.flatMap((y) => letters.map((z) => x + y + z)));
  return words
    .map((word) => JSON.stringify({ prompt: word, completion: [...word].reverse().join("") }))
    .join("\n");
}

test.beforeAll(async ({ browser }) => {
  page = await newPage(browser);
});

test.afterAll(async () => {
  await page.context().close();
});

test("prompt/completion pairs are uploaded and read with their trained tokens marked", async () => {
  await signUp(page, newPerson("Reverser"));
  await createTeam(page, `Reversal lab ${Date.now()}`);
  await createProject(page, "reversals");

  await page
    .getByTestId("datasets")
    .getByLabel("File")
    .setInputFiles({
      name: "reversals.jsonl",
      mimeType: "application/jsonl",
      buffer: Buffer.from(reversalsJsonl()),
    });
  await page.getByLabel("Records hold").selectOption("prompt-completion");
  await page.getByRole("button", { name: "Upload dataset" }).click();
  const datasets = page.getByTestId("datasets");
  const row = datasets.getByTestId("dataset-row").getByRole("link", { name: "reversals" });
  await expect(row).toBeVisible({ timeout: 30_000 });

  await row.click();
  await expect(page.getByRole("heading", { level: 1, name: "reversals" })).toBeVisible();
  const example = page.getByTestId("rendered-example");
  // The first pair, rendered by the plain template: its completion is what the loss is on.
  await expect(example.getByTestId("rendered-example-text")).toContainText("aaa");
  await expect(example.getByTestId("rendered-example-text").locator("mark").first()).toBeVisible();
  await expect(page.getByTestId("instruction-lengths")).toBeVisible();
});

test("a study maximising chrF is set up on the new-study page and trained", async () => {
  test.setTimeout(300_000);
  await page.goBack();
  await page.getByRole("link", { name: "New study" }).click();
  await expect(page).toHaveURL(/\/studies\/new$/);
  const form = page.getByTestId("study-form");
  await expect(form).toBeEnabled();
  await form.getByLabel("Name", { exact: true }).fill(`reverse-${Date.now()}`);
  await page.getByTestId("study-dataset").selectOption("reversals");
  // The dataset's task comes with it, and with it the task's metrics as objectives.
  await expect(form.getByLabel(/^Task/)).toHaveValue("instruction");
  await page.getByLabel("Objective 1 metric").selectOption("chrf");
  // chrF is better higher: choosing it sets the direction.
  await expect(
    page
      .getByRole("group", { name: "Objective 1 direction" })
      .getByRole("button", { name: "maximize" }),
  ).toHaveAttribute("aria-pressed", "true");

  await searchRange(page, "lr", "Learning rate", { low: "0.003", high: "0.01", log: true });
  await fixSetting(page, "batch_size", "Batch size", "8");
  await fixSetting(page, "seq_len", "Sequence length", "32");
  await fixSetting(page, "layers", "Layers", "1");
  await fixSetting(page, "d_model", "Width (d_model)", "32");
  await fixSetting(page, "heads", "Heads", "2");
  await fixSetting(page, "eval_every", "Evaluate every", "30");
  await page.getByTestId("more-settings").locator("summary").click();
  await fixSetting(page, "eval_examples", "Generated examples", "8");
  await fixSetting(page, "max_new_tokens", "Max new tokens", "6");
  await form.getByLabel("Trials", { exact: true }).fill("1");
  await form.getByLabel("In parallel", { exact: true }).fill("1");
  await form.getByLabel("Length of a trial in steps").fill("90");
  const spec = page.getByTestId("spec-editor");
  await expect(spec).toHaveValue(/task: instruction/);
  await expect(spec).toHaveValue(/metric: chrf/);
  studyId = await createStudy(page, { start: true });

  const training = { timeout: 240_000 };
  await expect(page.getByTestId("trial-row")).toHaveCount(1, training);
  await expect(page.getByTestId("trial-row").first()).toContainText("completed", training);
  await expect(page.getByTestId("best-value-0")).toHaveText(/^\d+(\.\d+)?$/, training);
});

test("the trial page shows the generated samples beside their references", async () => {
  await page.goto(`/studies/${studyId}`);
  await page.getByTestId("trial-row").first().getByRole("link").first().click();
  await expect(page).toHaveURL(/\/trials\/[^/]+$/);
  const samples = page.getByTestId("trial-samples");
  await expect(samples.getByTestId("generation-sample").first()).toBeVisible({ timeout: 30_000 });
  const rows = await samples.getByTestId("generation-sample").count();
  expect(rows).toBeGreaterThan(0);
  expect(rows).toBeLessThanOrEqual(5);
  // Each reference is its prompt's word reversed.
  for (const row of await samples.getByTestId("generation-sample").all()) {
    const [prompt, reference] = await row.locator("td").allTextContents();
    const word = [...(reference ?? "")].reverse().join("");
    expect(prompt).toContain(word);
  }
  await expect(page.getByTestId("trial-curves")).toContainText("Generated text: chrF and BLEU");
  const exported = page.getByTestId("export-best").or(page.getByTestId("export-last")).first();
  await expect(exported).toHaveAttribute("href", /\/checkpoints\/(best|last)\/export$/);
});

test("the playground chats: each message is answered with the conversation before it", async () => {
  const playground = page.getByTestId("playground");
  await playground.getByLabel("Message").fill("abc");
  await playground.getByRole("button", { name: "Send" }).click();
  await expect(playground.getByTestId("generation-status")).toHaveText(/^Done: /, {
    timeout: 30_000,
  });
  const log = playground.getByTestId("chat-log");
  await expect(log.locator("li")).toHaveCount(2);
  await expect(log.locator('li[data-role="user"]')).toContainText("abc");
  // The message box empties for the next turn, which is sent with this exchange before it.
  await expect(playground.getByLabel("Message")).toHaveValue("");
  await playground.getByLabel("Message").fill("dcb");
  await playground.getByRole("button", { name: "Send" }).click();
  await expect(playground.getByTestId("generation-status")).toHaveText(/^Done: /, {
    timeout: 30_000,
  });
  await expect(log.locator('li[data-role="user"]')).toHaveText([/abc/, /dcb/]);
});
