// The new-study page says what its recommendations cost on the team's runners: the sequence length
// the dataset suggests, against the form's, with a warning when a trial would take much longer;
// and the LR range test's steps. Whether a runner has measured its speed yet depends on the tests
// before this one, so either wording passes.
import { expect, test } from "@playwright/test";
import { signUpWithMobyDick } from "../support/app.ts";
import { fixSetting } from "../support/new-study.ts";

const TIME_OR_NOT_MEASURED = /on your runners|no runner has measured its speed yet/;

test("the sequence-length recommendation and the LR range test state their cost", async ({
  page,
}) => {
  const { projectId } = await signUpWithMobyDick(page, "Starbuck");
  await page.goto(`/projects/${projectId}/studies/new`);
  await expect(page.getByTestId("study-form")).toBeEnabled();
  // A length far below any the dataset suggests, so the suggestion costs many times as much.
  await fixSetting(page, "seq_len", "Sequence length", "8");

  const recommendation = page.getByTestId("recommended-seq-len");
  const cost = recommendation.getByTestId("cost-advice");
  await expect(cost).toContainText(/Cost: ≈ \d+× the compute per step of seq_len 8; /);
  await expect(cost).toContainText(TIME_OR_NOT_MEASURED);
  await expect(recommendation.getByRole("status")).toContainText(
    /Each trial would take \d+× as long as now/,
  );

  // Once applied, the suggestion is the form's own length: nothing to warn of.
  await recommendation.getByRole("button", { name: /^Use \d+$/ }).click();
  await expect(cost).toContainText(/Cost: about the same compute per step as seq_len \d+; /);
  await expect(recommendation.getByRole("status")).toHaveCount(0);

  const lrTest = page.getByTestId("lr-range-test");
  await lrTest.getByLabel("LR range test steps").fill("40");
  await expect(lrTest.getByTestId("cost-advice")).toContainText(
    /Cost: (about .+ per step, .+ for its 40 steps on your runners|40 steps; no runner has measured its speed yet)/,
  );
});
