// The study dashboard and the compare page, on studies of synthetic trials written straight into
// the database (e2e/support/large-study.ts): the table, curves and analyses of a finished study, a
// running study updating without a reload, what a viewer may do, and the empty and missing states.
import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@attune/db";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { newPerson, PASSWORD, type Person, signInHere } from "../support/auth.ts";
import {
  addTeamMember,
  advanceRunningTrials,
  createLargeStudy,
  type LargeStudy,
} from "../support/large-study.ts";

// Sign-ins wait out better-auth's rate limit when several come close together.
test.describe.configure({ timeout: 120_000 });

let db: Database;
const owner = newPerson("Ada");
let finished: LargeStudy;
/** The owner's signed-in session: one sign-in for the tests that act as the owner. */
let ownerSession: Awaited<ReturnType<BrowserContext["storageState"]>>;

const account = (person: Person) => ({ ...person, password: PASSWORD });

/** Opens `path`, signing in on the way as the proxy asks. */
async function openAs(page: Page, person: Person, path: string) {
  await page.goto(path);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await signInHere(page, person);
  await expect(page).toHaveURL(path);
}

async function ownerPage(browser: Browser, baseURL: string | undefined): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: ownerSession });
  return context.newPage();
}

test.beforeAll(async ({ browser, baseURL }) => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run the browser tests through `npm test`");
  db = createDatabase(url, { applicationName: "e2e-study-dashboard" });
  finished = await createLargeStudy(db, {
    trials: 24,
    points: 150,
    objectives: 2,
    owner: account(owner),
  });
  const context = await browser.newContext({ baseURL });
  await openAs(await context.newPage(), owner, `/studies/${finished.studyId}`);
  ownerSession = await context.storageState();
  await context.close();
});

test.afterAll(async () => {
  await db.$client.end();
});

test("a finished study: sorted trials, curves, analyses, the best configuration and a comparison", async ({
  browser,
  baseURL,
}) => {
  const page = await ownerPage(browser, baseURL);
  await page.goto(`/studies/${finished.studyId}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("24 synthetic trials");
  await expect(page.getByTestId("state-badge").first()).toHaveText("completed");
  await expect(page.getByTestId("live-indicator")).toHaveCount(0);
  await expect(page.getByTestId("budget-trials")).toHaveText("24 / 24");
  await expect(page.getByTestId("curves-status")).toHaveAttribute("data-loaded", "24");
  await expect(page.getByTestId("study-curves")).toHaveAttribute("data-series", "24");

  // Best first by the first objective, then by number both ways.
  const rows = page.getByTestId("trial-row");
  await expect(rows.first()).toContainText("★");
  const table = page.getByTestId("trial-table");
  await table.getByRole("button", { name: "#" }).click();
  await expect(rows.first().locator("[data-column=number]")).toHaveText(/^#0\b/);
  await table.getByRole("button", { name: "#" }).click();
  await expect(rows.first().locator("[data-column=number]")).toHaveText(/^#23\b/);
  await expect(table.locator("th[aria-sort=descending]")).toContainText("#");

  await expect(page.getByTestId("parallel-chart").locator("canvas")).toBeVisible();
  await expect(page.getByTestId("importance-chart").locator("canvas")).toBeVisible();
  await expect(page.getByTestId("pareto-count")).toContainText("of 24 trials are on the front");

  const best = page.getByTestId("best-config");
  await expect(best).toContainText("# Best configuration of study");
  await expect(best).toContainText("lr:");
  await page.getByTestId("best-export").getByRole("button", { name: "JSON" }).click();
  expect(JSON.parse((await best.textContent()) ?? "")).toHaveProperty("heads", 4);
  const download = page.waitForEvent("download");
  await page.getByTestId("download-best").click();
  expect((await download).suggestedFilename()).toMatch(/-trial-\d+\.json$/);

  // Another trial of the front, exported instead: said to be a configuration, not the best.
  const picker = page.getByTestId("front-picker");
  const other = picker.locator("option").nth(1);
  const otherNumber = (await other.getAttribute("value")) as string;
  await picker.selectOption(otherNumber);
  await page.getByTestId("best-export").getByRole("button", { name: "YAML" }).click();
  await expect(best).toContainText(
    `# Configuration of study ${finished.studyId}: trial ${otherNumber}`,
  );
  await expect(
    page
      .getByTestId("best-export")
      .getByRole("heading", { name: `Configuration: trial #${otherNumber}` }),
  ).toBeVisible();

  // Two trials ticked, compared: their settings side by side, the ones that differ marked.
  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  await page.getByTestId("compare-button").click();
  await expect(page).toHaveURL(/\/compare\?trials=[0-9a-f-]+,[0-9a-f-]+$/);
  await expect(page.getByTestId("compare-chip")).toHaveCount(2);
  await expect(page.locator("[data-setting=lr]")).toHaveClass(/\bdiff\b/);
  await expect(page.locator("[data-setting=heads]")).not.toHaveClass(/\bdiff\b/);
  await expect(page.getByTestId("compare-curves")).toHaveAttribute("data-series", "2");
  await page
    .getByRole("button", { name: /Remove trial/ })
    .first()
    .click();
  await expect(page.getByTestId("compare-chip")).toHaveCount(1);
  await expect(page).toHaveURL(/\/compare\?trials=[0-9a-f-]+$/);
  await page.getByTestId("compare-add").selectOption({ index: 1 });
  await expect(page.getByTestId("compare-chip")).toHaveCount(2);

  // A clone is a draft of its own, with no trials until it starts.
  await page.goto(`/studies/${finished.studyId}`);
  await page.getByRole("button", { name: "Clone" }).click();
  await page.getByLabel("Name of the copy").fill("ui-fixture clone");
  await page.getByRole("button", { name: "Clone as a draft" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("ui-fixture clone");
  await expect(page.getByTestId("state-badge").first()).toHaveText("draft");
  await expect(page.getByTestId("no-trials")).toContainText("Start the study");
});

test("a running study updates within seconds of a metric being written, and stops when it finishes", async ({
  browser,
  baseURL,
}) => {
  const study = await createLargeStudy(db, {
    trials: 6,
    points: 40,
    running: 2,
    sameTeamAs: finished,
  });
  const page = await ownerPage(browser, baseURL);
  await page.goto(`/studies/${study.studyId}`);
  await expect(page.getByTestId("live-indicator")).toHaveText("Live");
  await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();
  // The best of the finished trials shows while the others still train, said to be so far.
  await expect(page.getByTestId("study-summary")).toContainText("so far");
  await expect(page.getByTestId("best-value-0")).toHaveText(/^\d+(\.\d+)?$/);
  await expect(
    page
      .getByTestId("best-export")
      .getByRole("heading", { name: /^Best configuration so far: trial #\d+$/ }),
  ).toBeVisible();

  await page.getByTestId("state-filter-running").click();
  const rows = page.getByTestId("trial-row");
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId("study-curves")).toHaveAttribute("data-series", "2");
  const steps = rows.first().locator("[data-column=steps]");
  await expect(steps).toHaveText("20");
  const status = page.getByTestId("curves-status");
  await expect(status).toHaveAttribute("data-points", "40");

  // A runner reports ten more steps: the table and the curves follow without a reload.
  await advanceRunningTrials(db, study, 10);
  await expect(steps).toHaveText("30", { timeout: 3_000 });
  await expect(status).toHaveAttribute("data-points", "60", { timeout: 3_000 });

  let running = true;
  while (running) running = await advanceRunningTrials(db, study, 10);
  await expect(page.getByTestId("state-badge").first()).toHaveText("completed", {
    timeout: 5_000,
  });
  await expect(page.getByTestId("live-indicator")).toHaveCount(0);
  await expect(page.getByTestId("budget-trials")).toHaveText("6 / 6");
  await expect(page.getByTestId("study-summary")).not.toContainText("so far");
  // The running filter stays on offer with no trial left in it, to be turned off.
  await expect(page.getByTestId("state-filter-running")).toContainText("0");
  await expect(rows).toHaveCount(0);
  await page.getByTestId("state-filter-running").click();
  await expect(rows).toHaveCount(6);
});

test("a running study of two objectives follows its Pareto front so far: table, summary and export", async ({
  browser,
  baseURL,
}) => {
  const study = await createLargeStudy(db, {
    trials: 10,
    points: 40,
    objectives: 2,
    running: 3,
    sameTeamAs: finished,
  });
  const page = await ownerPage(browser, baseURL);
  await page.goto(`/studies/${study.studyId}`);
  await expect(page.getByTestId("live-indicator")).toHaveText("Live");
  const summary = page.getByTestId("study-summary");
  const frontSize = page.getByTestId("front-size");
  const marked = page.getByTestId("trial-row").locator("[data-mark]");
  /** The front's size as the summary states it, checked against the table's marks. */
  async function frontAgrees(): Promise<number> {
    await expect(frontSize).toHaveText(/^\d+ trials?$/);
    const size = Number.parseInt((await frontSize.textContent()) ?? "", 10);
    await expect(marked).toHaveCount(size);
    await expect(page.getByTestId("trial-row").locator("[data-mark=best]")).toHaveCount(1);
    await expect(page.getByTestId("pareto-count")).toContainText(`${size} of `);
    return size;
  }

  await expect(summary).toContainText("On the Pareto front so far");
  await expect(page.getByTestId("best-value-1")).toHaveText(/^\d/);
  const midway = await frontAgrees();
  await expect(page.getByTestId("front-picker").locator("option")).toHaveCount(
    midway > 1 ? midway : 0,
  );

  let running = true;
  while (running) running = await advanceRunningTrials(db, study, 10);
  await expect(page.getByTestId("state-badge").first()).toHaveText("completed", {
    timeout: 5_000,
  });
  await expect(summary).toContainText("On the Pareto front");
  await expect(summary).not.toContainText("so far");
  await frontAgrees();
});

test("a viewer reads a study without its controls; a missing study says so", async ({ page }) => {
  const viewer = newPerson("Vera");
  const study = await createLargeStudy(db, { trials: 3, points: 10 });
  await addTeamMember(db, study.teamId, account(viewer), "viewer");
  await openAs(page, viewer, `/studies/${study.studyId}`);
  await expect(page.getByTestId("trial-row")).toHaveCount(3);
  await expect(page.getByTestId("best-config")).toBeVisible();
  await expect(page.getByTestId("study-controls")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Clone" })).toHaveCount(0);

  await page.goto(`/studies/${randomUUID()}`);
  await expect(page.getByTestId("error-note")).toHaveAttribute("data-code", "NOT_FOUND");
  await expect(page.getByTestId("error-note")).toContainText("This study does not exist");
});
