// Filling in the new-study page's form, row by row, as a person would.
import { expect, type Locator, type Page } from "@playwright/test";

/** A setting's row of the form (param-<name>), e.g. "batch_size". */
function settingRow(page: Page, name: string): Locator {
  return page.getByTestId(`param-${name}`);
}

/** One value for every trial. `label` is the setting's label in the form, e.g. "Batch size". */
export async function fixSetting(page: Page, name: string, label: string, value: string) {
  const row = settingRow(page, name);
  await row.getByRole("button", { name: "fixed", exact: true }).click();
  await row.getByLabel(`${label} value`).fill(value);
}

/** One option of an enum setting for every trial, e.g. finetune: lora. */
export async function fixOption(page: Page, name: string, label: string, option: string) {
  const row = settingRow(page, name);
  await row.getByRole("button", { name: "fixed", exact: true }).click();
  await row.getByLabel(`${label} value`).selectOption(option);
}

/** A numeric setting searched among comma-separated choices. */
export async function searchChoices(page: Page, name: string, label: string, choices: string) {
  const row = settingRow(page, name);
  await row.getByRole("button", { name: "choices", exact: true }).click();
  await row.getByLabel(`${label} choices`).fill(choices);
}

/** A numeric setting searched over a range (log-uniform when `log`). */
export async function searchRange(
  page: Page,
  name: string,
  label: string,
  range: { low: string; high: string; log: boolean },
) {
  const row = settingRow(page, name);
  await row.getByRole("button", { name: "range", exact: true }).click();
  await row.getByLabel(`${label} low`).fill(range.low);
  await row.getByLabel(`${label} high`).fill(range.high);
  await row.getByLabel(`${label} on a log scale`).setChecked(range.log);
}

export interface TinyStudy {
  name: string;
  trials: number;
  parallel: number;
  steps: number;
  evalEvery: number;
  sampler: "Random" | "TPE (Bayesian)";
  pruner: "None" | "Median";
}

/**
 * A study of a tiny model that a CPU trains in seconds: width 32, one or two layers searched,
 * sequence length 32, batch 8, the learning rate searched log-uniformly.
 */
export async function fillTinyStudy(page: Page, study: TinyStudy) {
  const form = page.getByTestId("study-form");
  await expect(form).toBeEnabled();
  await form.getByLabel("Name", { exact: true }).fill(study.name);
  // A select's label reads on with its chosen option's text: "Dataset moby-dick (moby-dick)".
  await expect(form.getByLabel(/^Dataset/)).toHaveValue("moby-dick");

  await searchRange(page, "lr", "Learning rate", { low: "0.001", high: "0.02", log: true });
  await fixSetting(page, "batch_size", "Batch size", "8");
  await fixSetting(page, "warmup_steps", "Warm-up steps", "5");
  await fixSetting(page, "seq_len", "Sequence length", "32");
  await searchChoices(page, "layers", "Layers", "1, 2");
  await fixSetting(page, "d_model", "Width (d_model)", "32");
  await fixSetting(page, "heads", "Heads", "2");
  await fixSetting(page, "eval_every", "Evaluate every", String(study.evalEvery));

  await form.getByLabel(/^Sampler/).selectOption({ label: study.sampler });
  await form.getByLabel(/^Pruner/).selectOption({ label: study.pruner });
  await form.getByLabel("Trials", { exact: true }).fill(String(study.trials));
  await form.getByLabel("In parallel", { exact: true }).fill(String(study.parallel));
  await form.getByLabel("Length of a trial in steps").fill(String(study.steps));
}

/**
 * Waits for the API to accept the spec and creates the study, started or as a draft; the browser
 * ends up on its dashboard. Returns the study's id.
 */
export async function createStudy(page: Page, { start }: { start: boolean }): Promise<string> {
  await expect(page.getByTestId("spec-status")).toHaveText("The spec is valid.");
  await page.getByTestId("start-now").setChecked(start);
  await page.getByTestId("create-study").click();
  const dashboard = /^\/studies\/([^/]+)$/;
  await expect(page).toHaveURL((url) => dashboard.test(url.pathname), { timeout: 20_000 });
  return dashboard.exec(new URL(page.url()).pathname)?.[1] as string;
}
