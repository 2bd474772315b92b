// The whole tuning workflow in the browser, one step after another: an owner signs up, makes a team,
// a project with Moby Dick and a small study on the new-study page; the runner beside the app
// trains it while the dashboard fills in without a reload; the best trial generates text; a viewer
// invited to the team reads the dashboard without edit controls; an outsider finds nothing.
import { expect, type Page, test } from "@playwright/test";
import { newPage, signUpWithMobyDick, type Workspace } from "../support/app.ts";
import { newPerson, type Person, signUp, signUpHere } from "../support/auth.ts";
import { createStudy, fillTinyStudy } from "../support/new-study.ts";
import { SCREENSHOT_VIEWPORT, saveScreenshot } from "../support/screenshots.ts";

const TRIALS = 3;

test.describe.configure({ mode: "serial", timeout: 120_000 });
test.use({ viewport: SCREENSHOT_VIEWPORT });

let owner: Page;
let workspace: Workspace;
let studyId: string;
let studyName: string;

test.beforeAll(async ({ browser }) => {
  owner = await newPage(browser);
});

test.afterAll(async () => {
  await owner.context().close();
});

test("an owner signs up and makes a team with a project on Moby Dick", async () => {
  workspace = await signUpWithMobyDick(owner, "Ishmael");
  await expect(owner.getByTestId("dataset-row")).toHaveCount(1);
  // An empty project points to its first study.
  await expect(owner.getByTestId("first-study")).toHaveAttribute("href", /\/studies\/new$/);
});

test("a small study is set up on the new-study page", async () => {
  await owner.getByRole("link", { name: "New study" }).click();
  await expect(owner).toHaveURL(/\/studies\/new$/);
  await expect(owner.getByRole("heading", { level: 1, name: "New study" })).toBeVisible();
  studyName = `tiny-whales-${Date.now()}`;
  await fillTinyStudy(owner, {
    name: studyName,
    trials: TRIALS,
    parallel: 2,
    steps: 40,
    evalEvery: 10,
    sampler: "TPE (Bayesian)",
    pruner: "None",
  });
  // The spec beside the form says the same.
  const spec = owner.getByTestId("spec-editor");
  await expect(spec).toHaveValue(new RegExp(`name: ${studyName}`));
  await expect(spec).toHaveValue(/d_model: 32/);
  await expect(owner.getByTestId("spec-status")).toHaveText("The spec is valid.");
  // Created as a draft, so the dashboard is open before the first step is trained.
  studyId = await createStudy(owner, { start: false });
});

test("started from its dashboard, the runner trains it while the dashboard fills in live", async () => {
  test.setTimeout(240_000);
  await expect(owner.getByTestId("study-dashboard")).toBeVisible({ timeout: 30_000 });
  await expect(owner.getByRole("heading", { level: 1, name: studyName })).toBeVisible();
  await expect(owner.getByTestId("no-trials")).toContainText("Start the study");
  // A mark on this document: a reload or a full navigation would lose it.
  await owner.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
  await expect(owner.getByTestId("live-indicator")).toHaveText("Live");
  await owner
    .getByTestId("study-controls")
    .getByRole("button", { name: "Start", exact: true })
    .click();

  // Training on a shared CPU: minutes at worst, so the waits are long and nothing sleeps.
  const training = { timeout: 180_000 };
  await expect(owner.getByTestId("trial-row").first()).toBeVisible(training);
  await expect(owner.getByTestId("budget-trials")).toHaveText(`${TRIALS} / ${TRIALS}`, training);
  await expect(owner.getByTestId("trial-row")).toHaveCount(TRIALS);
  await expect(owner.getByTestId("state-filter-completed")).toHaveText(
    new RegExp(`completed\\s*${TRIALS}`),
  );
  for (const row of await owner.getByTestId("trial-row").all()) {
    await expect(row).toContainText("completed");
  }
  await expect(
    owner.getByRole("heading", { level: 1 }).getByText("completed", { exact: true }),
  ).toBeVisible(training);

  // Curves of every trial, with their points.
  const curves = owner.getByTestId("study-curves");
  await expect(owner.getByTestId("curves-status")).toHaveAttribute("data-loaded", String(TRIALS));
  await expect(curves).toHaveAttribute("data-series", String(TRIALS));
  // Evaluated every 10 of 40 steps: four validation points a trial, the last at step 40.
  await expect(curves).toHaveAttribute("data-last-step", "40");
  await expect(curves).toHaveAttribute("data-points", String(TRIALS * 4));
  await expect(curves.locator("canvas").first()).toBeVisible();

  // Parallel coordinates of the finished trials.
  await expect(
    owner.getByRole("img", {
      name: `Parallel coordinates of ${TRIALS} trials' parameters and objectives`,
    }),
  ).toBeVisible();
  await expect(owner.getByTestId("parallel-chart").locator("canvas")).toBeVisible();

  // The best trial: its value, its link and its configuration to copy.
  await expect(owner.getByTestId("best-value-0")).toHaveText(/^\d+(\.\d+)?$/);
  const best = owner.getByTestId("best-export");
  await expect(best.getByRole("heading", { name: /Best configuration: trial #\d+/ })).toBeVisible();
  await expect(best.getByTestId("best-config")).toContainText("d_model: 32");

  expect(
    await owner.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
  ).toBe(true);
  await saveScreenshot(owner, "study-dashboard");
});

test("the best trial's playground streams generated text", async () => {
  const bestLink = owner.getByTestId("study-summary").getByRole("link", { name: /^trial #\d+$/ });
  const bestNumber = ((await bestLink.textContent()) ?? "").replace("trial #", "");
  await bestLink.click();
  await expect(owner).toHaveURL(/\/trials\/[^/]+$/);
  await expect(owner.getByRole("heading", { level: 1, name: `Trial ${bestNumber}` })).toBeVisible();
  // One breadcrumb pattern: teams, the team, the project, the study, the trial.
  await expect(
    owner.getByRole("navigation", { name: "Breadcrumb" }).getByRole("listitem"),
  ).toHaveText(["Teams", /'s lab /, "whales", /.+/, `Trial ${bestNumber}`]);
  await expect(owner.getByTestId("trial-curves")).toBeVisible();
  await expect(owner.getByTestId("trial-config")).toContainText("d_model");
  await expect(
    owner.getByTestId("checkpoint-best").or(owner.getByTestId("checkpoint-last")).first(),
  ).toBeVisible();
  // Above the prompt: how far the checkpoint it generates from had trained, judged against a
  // model that knows only how often each character occurs.
  await expect(owner.getByTestId("generation-source")).toHaveText(
    /^Generates from the trial's (best|last) checkpoint, at step [\d,]+ of [\d,]+ \([\d,]+ characters seen\): validation loss \d+\.\d\d nats( at step [\d,]+)? against \d+\.\d\d for a model that only knows character frequencies \(the unigram baseline\): (barely|partly|well) trained\.$/,
  );

  const playground = owner.getByTestId("playground");
  await playground.getByLabel("Prompt").fill("Call me Ishmael. ");
  await playground.getByLabel("Max length").fill("120");
  await playground.getByLabel("Temperature").fill("0.8");
  // Every length the text takes on screen, to tell a stream from one late block of text.
  await owner.evaluate(() => {
    const lengths: number[] = [];
    (window as unknown as { generatedLengths: number[] }).generatedLengths = lengths;
    new MutationObserver(() => {
      const text = document.querySelector("[data-testid=generated-text]")?.textContent ?? "";
      if (lengths.at(-1) !== text.length) lengths.push(text.length);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await playground.getByRole("button", { name: "Generate" }).click();
  await expect(owner.getByTestId("generation-status")).toHaveText(/^Done: 120 tokens/, {
    timeout: 60_000,
  });
  const text = owner.getByTestId("generated-text");
  await expect(text).toContainText("Call me Ishmael.");
  expect(((await text.textContent()) ?? "").length).toBeGreaterThan("Call me Ishmael. ".length);
  const lengths = await owner.evaluate(
    () => (window as unknown as { generatedLengths: number[] }).generatedLengths,
  );
  // Streamed: the text grew in several steps, never shrinking once started.
  expect(lengths.length).toBeGreaterThanOrEqual(3);
  await saveScreenshot(owner, "trial");
});

test("a teammate invited as viewer reads the dashboard but has no edit controls", async ({
  browser,
}) => {
  const viewer: Person = newPerson("Starbuck");
  await owner.goto(`/teams/${workspace.teamId}/settings`);
  const invitations = owner.getByTestId("invitations");
  await invitations.getByLabel("Email").fill(viewer.email);
  await invitations.getByLabel("Role").selectOption("viewer");
  await invitations.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await owner.getByTestId("invitation-link").inputValue();

  const teammate = await newPage(browser);
  await teammate.goto(new URL(link).pathname);
  await teammate.getByRole("link", { name: "Create an account" }).click();
  await signUpHere(teammate, viewer);
  await expect(teammate.getByText("as viewer")).toBeVisible();
  await teammate.getByRole("button", { name: /Accept and join/ }).click();
  await expect(teammate).toHaveURL(new RegExp(`/teams/${workspace.teamId}$`));

  await teammate.goto(`/studies/${studyId}`);
  await expect(teammate.getByRole("heading", { level: 1, name: studyName })).toBeVisible();
  await expect(teammate.getByTestId("trial-row")).toHaveCount(TRIALS);
  await expect(teammate.getByTestId("study-curves")).toHaveAttribute("data-series", String(TRIALS));
  await expect(teammate.getByTestId("best-export")).toContainText("Best configuration");
  await expect(teammate.getByTestId("study-controls")).toHaveCount(0);
  for (const control of ["Pause", "Resume", "Cancel", "Start", "Add trials", "Clone"]) {
    await expect(teammate.getByRole("button", { name: control, exact: true })).toHaveCount(0);
  }

  await teammate.goto(`/projects/${workspace.projectId}`);
  await expect(teammate.getByRole("link", { name: studyName })).toBeVisible();
  await expect(teammate.getByRole("link", { name: "New study" })).toHaveCount(0);
  await teammate.context().close();
});

test("a user of another team opening the study finds it does not exist", async ({ browser }) => {
  const outsider = await newPage(browser);
  await signUp(outsider, newPerson("Ahab"));
  await outsider.goto(`/studies/${studyId}`);
  await expect(outsider.getByTestId("error-note")).toContainText(
    "does not exist, or your teams cannot see it",
  );
  await expect(outsider.getByTestId("study-dashboard")).toHaveCount(0);
  await outsider.context().close();
});
