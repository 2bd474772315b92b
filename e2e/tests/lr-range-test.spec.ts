// An LR range test from the new-study page: the runner trains it, the page shows its curve and
// suggestion, and applying the suggestion sets the learning rate's bounds in the form and the spec.
import { expect, test } from "@playwright/test";
import { signUpWithMobyDick } from "../support/app.ts";
import { fillTinyStudy, searchRange } from "../support/new-study.ts";
import { SCREENSHOT_VIEWPORT, saveScreenshot } from "../support/screenshots.ts";

test.use({ viewport: SCREENSHOT_VIEWPORT });

function escapeRegExp(text: string | undefined): string {
  return (text ?? "").replaceAll(".", "\\.").replaceAll("+", "\\+");
}

test("an LR range test's suggested bounds replace the learning rate's", async ({ page }) => {
  test.setTimeout(240_000);
  const { projectId } = await signUpWithMobyDick(page, "Queequeg");
  await page.goto(`/projects/${projectId}/studies/new`);
  await fillTinyStudy(page, {
    name: "after the range test",
    trials: 4,
    parallel: 2,
    steps: 60,
    evalEvery: 20,
    sampler: "TPE (Bayesian)",
    pruner: "Median",
  });
  // Bounds no test would suggest, so a change cannot be missed.
  await searchRange(page, "lr", "Learning rate", { low: "0.000123", high: "0.456", log: true });

  const panel = page.getByTestId("lr-range-test");
  await expect(panel).toContainText("with batch_size 8, seq_len 32, d_model 32, heads 2");
  await panel.getByLabel("LR range test from").fill("0.0001");
  await panel.getByLabel("LR range test to").fill("1");
  await panel.getByLabel("LR range test steps").fill("40");
  await panel.getByRole("button", { name: "Run LR range test" }).click();
  await expect(panel.getByTestId("lr-test-status")).toBeVisible();

  // Trained by the runner beside the app: generous on a shared CPU.
  const result = panel.getByTestId("lr-test-result");
  // A failed run says why at once, rather than after the whole wait.
  await expect(result.or(panel.getByRole("alert"))).toBeVisible({ timeout: 180_000 });
  await expect(panel.getByRole("alert")).toHaveCount(0);
  await expect(panel.getByTestId("lr-test-status")).toContainText("completed");
  await expect(
    result.getByRole("img", { name: /LR range test: loss against learning rate/ }),
  ).toBeVisible();
  await expect(result.getByTestId("lr-suggested")).toHaveText(/\d/);
  const bounds = /^([\d.e+-]+) to ([\d.e+-]+) \(log-uniform\)$/.exec(
    (await result.getByTestId("lr-bounds").textContent()) ?? "",
  );
  expect(bounds, "the suggested bounds read 'low to high (log-uniform)'").not.toBeNull();
  const [, low, high] = bounds as RegExpExecArray;
  expect(Number(low)).toBeLessThan(Number(high));

  await result.getByRole("button", { name: "Apply to the learning rate" }).click();
  await expect(result.getByRole("status")).toHaveText(
    `Applied: the learning rate is searched from ${low} to ${high}.`,
  );
  const lr = page.getByTestId("param-lr");
  await expect(lr.getByLabel("Learning rate low")).toHaveValue(low as string);
  await expect(lr.getByLabel("Learning rate high")).toHaveValue(high as string);
  await expect(lr.getByLabel("Learning rate on a log scale")).toBeChecked();
  await expect(page.getByTestId("spec-editor")).toHaveValue(
    new RegExp(
      `lr:\\s+type: float\\s+low: ${escapeRegExp(low)}\\s+high: ${escapeRegExp(high)}\\s+log: true`,
    ),
  );
  await expect(page.getByTestId("spec-status")).toHaveText("The spec is valid.");
  await saveScreenshot(page, "new-study");
});
