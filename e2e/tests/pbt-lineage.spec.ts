// A population-based study trained by the test runner, then its dashboard's lineage: the members,
// the copies between them at each round, the best member's schedule and the spec to replay it.
import { expect, test } from "@playwright/test";
import { signUpWithMobyDick } from "../support/app.ts";

const spec = `
name: pbt lineage
task: language-modelling
dataset: moby-dick
objectives:
  - { metric: val_loss, direction: minimize }
fixed: { layers: 1, d_model: 16, heads: 2, seq_len: 16, batch_size: 4, eval_every: 20, schedule: constant }
searchSpace:
  lr: { type: float, low: 1.0e-4, high: 3.0e-2, log: true }
sampler: { kind: pbt, population: 4, perturbationInterval: 40, mutations: [lr] }
budget: { trials: 4, parallelTrials: 2, stepsPerTrial: 120 }
`;

test("a PBT study's dashboard shows its lineage: members, copies, the best schedule and its replay", async ({
  page,
}) => {
  // Four members of 120 steps on a tiny model, on a busy machine's plain wasm at worst.
  test.setTimeout(600_000);
  const { projectId } = await signUpWithMobyDick(page, "Pat");
  const created = await page.request.post("/api/trpc/studies.create", {
    data: { json: { projectId, spec } },
  });
  expect(created.status(), await created.text()).toBe(200);
  const studyId = (await created.json()).result.data.json.id as string;
  const started = await page.request.post("/api/trpc/studies.start", {
    data: { json: { studyId } },
  });
  expect(started.status(), await started.text()).toBe(200);

  await page.goto(`/studies/${studyId}`);
  await expect(page.getByTestId("state-badge").first()).toHaveText("completed", {
    timeout: 540_000,
  });
  await page.reload();
  const card = page.getByTestId("lineage-card");
  const status = card.getByTestId("lineage-status");
  await expect(status).toHaveAttribute("data-members", "4");
  // Rounds at steps 40 and 80: the bottom quarter (one member) copies the top one at each.
  expect(Number(await status.getAttribute("data-rounds"))).toBeGreaterThan(0);
  expect(Number(await status.getAttribute("data-copies"))).toBeGreaterThanOrEqual(1);
  const best = await status.getAttribute("data-best");
  await expect(
    card.getByRole("heading", { name: `Schedule of the best member, #${best}` }),
  ).toBeVisible();
  await expect(card.getByTestId("lineage-chart").locator("canvas")).toBeVisible();
  await expect(card.getByTestId("schedule-chart").locator("canvas")).toBeVisible();
  const replay = card.getByTestId("replay-spec");
  await replay.locator("summary").click();
  await expect(replay.locator("pre")).toContainText("kind: pbt-replay");
});
