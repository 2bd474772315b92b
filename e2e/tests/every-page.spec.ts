// Every page of the app, signed in and out, at the two laptop widths people use (1024 and 1280 px):
// no serious or critical accessibility violation that axe-core finds (WCAG 2.1 A and AA rules), no
// horizontal scrolling, no control cut off by its card or the window, and no loading placeholder
// left once the page's data has arrived. The study, its trials and the dataset are synthetic
// (e2e/support/large-study.ts); the checks are about the pages, not about training.
import { randomUUID } from "node:crypto";
import { createDatabase, createInvitation, type Database, listDatasets } from "@attune/db";
import AxeBuilder from "@axe-core/playwright";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { newPerson, PASSWORD, signInHere } from "../support/auth.ts";
import { createLargeStudy, type LargeStudy } from "../support/large-study.ts";
import { clippedControls } from "../support/layout.ts";

test.describe.configure({ timeout: 240_000 });

const WIDTHS = [1024, 1280] as const;
const owner = newPerson("Grace");
let db: Database;
let study: LargeStudy;
let session: Awaited<ReturnType<BrowserContext["storageState"]>>;
const paths: { name: string; path: string }[] = [];

test.beforeAll(async ({ browser, baseURL }) => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run the browser tests through `npm test`");
  db = createDatabase(url, { applicationName: "e2e-every-page" });
  study = await createLargeStudy(db, {
    trials: 12,
    points: 60,
    objectives: 2,
    owner: { ...owner, password: PASSWORD },
  });
  const [dataset] = await listDatasets(db, study.projectId);
  const invitation = await createInvitation(db, {
    id: randomUUID(),
    teamId: study.teamId,
    email: `invited-${randomUUID().slice(0, 8)}@example.com`,
    inviterId: study.user.id,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const [first, second] = study.trials;
  paths.push(
    { name: "home", path: "/" },
    { name: "teams", path: "/teams" },
    { name: "team", path: `/teams/${study.teamId}` },
    { name: "team settings", path: `/teams/${study.teamId}/settings` },
    { name: "project", path: `/projects/${study.projectId}` },
    { name: "dataset", path: `/projects/${study.projectId}/datasets/${dataset?.id}` },
    { name: "new study", path: `/projects/${study.projectId}/studies/new` },
    { name: "study", path: `/studies/${study.studyId}` },
    {
      name: "compare",
      path: `/studies/${study.studyId}/compare?trials=${first?.id},${second?.id}`,
    },
    { name: "trial", path: `/trials/${first?.id}` },
    { name: "runners", path: "/runners" },
    { name: "spec reference", path: "/reference" },
    { name: "invitation", path: `/invitations/${invitation.id}` },
  );
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await signInHere(page, owner);
  await expect(page).not.toHaveURL(/sign-in/);
  session = await context.storageState();
  await context.close();
});

test.afterAll(async () => {
  await db?.$client.end();
});

/** Waits until the page has drawn its data: its heading is there and nothing says it is loading. */
async function settled(page: Page) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator(".loading")).toHaveCount(0, { timeout: 20_000 });
}

/** Serious and critical axe-core violations, one readable line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => {
      const nodes = violation.nodes.slice(0, 5).map((node) => node.target.join(" "));
      const more = violation.nodes.length > 5 ? ` and ${violation.nodes.length - 5} more` : "";
      const why = violation.nodes[0]?.failureSummary?.replaceAll("\n", " ") ?? "";
      return `${violation.id} (${violation.impact}): ${violation.help}; at ${nodes.join(" | ")}${more}. ${why}`;
    });
}

async function checkPage(page: Page, name: string, width: number) {
  await settled(page);
  expect.soft(await seriousViolations(page), `${name} at ${width} px: accessibility`).toEqual([]);
  expect.soft(await clippedControls(page), `${name} at ${width} px: layout`).toEqual([]);
}

for (const width of WIDTHS) {
  test(`signed-out pages at ${width} px: accessible, nothing clipped`, async ({
    browser,
    baseURL,
  }) => {
    const context = await browser.newContext({ baseURL, viewport: { width, height: 800 } });
    const page = await context.newPage();
    for (const path of ["/sign-in", "/sign-up"]) {
      await page.goto(path);
      await checkPage(page, path, width);
    }
    await context.close();
  });

  test(`every signed-in page at ${width} px: accessible, nothing clipped`, async ({
    browser,
    baseURL,
  }) => {
    const context = await browser.newContext({
      baseURL,
      storageState: session,
      viewport: { width, height: 800 },
    });
    const page = await context.newPage();
    for (const { name, path } of paths) {
      await page.goto(path);
      await checkPage(page, name, width);
    }
    await context.close();
  });
}

test("each setting says in a line what it does, and links to the spec reference for the rest", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL, storageState: session });
  const page = await context.newPage();
  await page.goto(`/projects/${study.projectId}/studies/new`);
  const lr = page.getByTestId("param-lr");
  await expect(lr).toContainText("Peak learning rate.");
  const link = lr.getByRole("link", {
    name: "Learning rate in the spec reference (opens a new tab)",
  });
  const href = (await link.getAttribute("href")) as string;
  await page.goto(href);
  await expect(page.getByRole("heading", { level: 2, name: "Trainer settings" })).toBeVisible();
  await expect(page.locator(":target")).toHaveText("Trainer settings");
  await context.close();
});
