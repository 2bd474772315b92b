// Accounts, teams and their settings, projects and datasets, the runners page: what a user does
// before any study, and what an invited viewer and an outsider can and cannot do.
import { expect, request, test } from "@playwright/test";
import { createProject, createTeam, newPage } from "../support/app.ts";
import { newPerson, type Person, signInHere, signUp, signUpHere } from "../support/auth.ts";

// Sign-ups wait out better-auth's rate limit when several come close together.
test.describe.configure({ timeout: 120_000 });

test("sign-up comes back to the page that asked for it, and sign-in names a wrong password", async ({
  page,
}) => {
  const person = newPerson("Runa");
  await page.goto("/runners");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Frunners$/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up\?next=%2Frunners$/);
  await signUpHere(page, person);
  await expect(page).toHaveURL(/\/runners$/);
  await expect(page.getByRole("heading", { level: 1, name: "Runners" })).toBeVisible();
  // The runner beside the app, with the backend it trains on and why that one (it may still be
  // loading TensorFlow.js on a busy machine).
  const runner = page.getByTestId("runner-row").filter({ hasText: "e2e-runner" });
  await expect(runner.getByTestId("runner-backend-reason")).toContainText(/first/, {
    timeout: 60_000,
  });

  // Signed in, the sign-in page offers the way on instead of a form.
  await page.goto("/sign-in?next=/teams");
  await expect(page.getByTestId("already-signed-in")).toContainText(person.email);
  await page.goto("/");
  await expect(page).toHaveURL(/\/teams$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#auth-error")).toHaveText(
    /Wrong email or password\.|Too many attempts/,
  );
  await page.reload();
  await signInHere(page, person);
  await expect(page).toHaveURL(/\/teams$/);
});

test("a team's project gets an uploaded dataset and Moby Dick, with their statistics", async ({
  page,
}) => {
  await signUp(page, newPerson("Ada"));
  await expect(page.getByText("You are not in a team yet")).toBeVisible();
  await page.getByLabel("Team name").fill("Tiny Models Lab");
  await expect(page.getByLabel("Slug")).toHaveValue("tiny-models-lab");
  // Another test run may hold that slug: make it unique.
  await page.getByLabel("Slug").fill(`tiny-models-${Date.now()}`);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page).toHaveURL(/\/teams\/[^/]+$/);
  await expect(page.getByTestId("team-switcher")).toHaveValue(/.+/);
  await createProject(page, "char-level");

  const datasets = page.getByTestId("datasets");
  await expect(datasets.getByText("No datasets yet.")).toBeVisible();
  const file = page.getByTestId("datasets").getByLabel("File");
  await file.setInputFiles({
    name: "broken.jsonl",
    mimeType: "application/jsonl",
    buffer: Buffer.from('{"text": "fine"}\n{"txt": "no text field"}\n'),
  });
  await page.getByRole("button", { name: "Upload dataset" }).click();
  await expect(page.getByTestId("error-note")).toContainText('line 2: expected a string "text"');

  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ text: "the whale ".repeat(1 + (i % 12)) }),
  );
  await file.setInputFiles({
    name: "whales.jsonl",
    mimeType: "application/jsonl",
    buffer: Buffer.from(lines.join("\n")),
  });
  await expect(page.getByLabel("Dataset name")).toHaveValue("whales");
  await page.getByRole("button", { name: "Upload dataset" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added" })).toContainText("40 samples");

  await page.getByRole("button", { name: "Built-in corpus" }).click();
  await page.getByLabel("Corpus").selectOption("moby-dick");
  await page.getByRole("button", { name: "Add corpus" }).click();
  await expect(page.getByRole("status").filter({ hasText: "moby-dick" })).toBeVisible({
    timeout: 30_000,
  });
  await expect(datasets.getByTestId("dataset-row")).toHaveCount(2);

  await datasets.getByRole("link", { name: "whales" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "whales" })).toBeVisible();
  await expect(page.getByTestId("dataset-figures")).toContainText("40");
  // Each figure says what it counts.
  await expect(page.getByTestId("dataset-figures")).toContainText(
    "Tokens the tokenizer knows: the rows of the model's embedding.",
  );
  await expect(page.getByTestId("length-histogram-chart")).toBeVisible();
  const recommended = page.getByTestId("recommended-length");
  await expect(recommended).toHaveText(/^\d+ tokens$/);
  const at95 = await recommended.textContent();
  await page.getByLabel("Cover this share of samples (%)").fill("50");
  await expect(recommended).not.toHaveText(at95 ?? "");

  await page.getByRole("link", { name: "char-level" }).click();
  await page.getByTestId("datasets").getByRole("link", { name: "moby-dick" }).click();
  // One document: no lengths to measure, a preset instead.
  await expect(page.getByText("has no distribution of sample lengths")).toBeVisible();
  await expect(recommended).toHaveText(/^\d+ tokens$/);
});

test("an invited viewer reads the team but can change nothing; an outsider sees nothing", async ({
  page,
  browser,
}) => {
  const viewer: Person = newPerson("Vic");
  await signUp(page, newPerson("Olga"));
  const teamId = await createTeam(page, `Shared ${Date.now()}`);
  const projectUrl = await createProject(page, "shared project");

  await page.goto(`/teams/${teamId}/settings`);
  const invitations = page.getByTestId("invitations");
  await invitations.getByLabel("Email").fill(viewer.email);
  await invitations.getByLabel("Role").selectOption("viewer");
  await invitations.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await page.getByTestId("invitation-link").inputValue();
  expect(link).toMatch(/\/invitations\/[^/]+$/);
  await expect(page.getByTestId("invitation-row")).toContainText(viewer.email);

  // The invitee has no account yet: sign-in sends them to sign-up, which brings them back.
  const invitee = await newPage(browser);
  await invitee.goto(new URL(link).pathname);
  await expect(invitee).toHaveURL(/\/sign-in\?next=/);
  await invitee.getByRole("link", { name: "Create an account" }).click();
  await signUpHere(invitee, viewer);
  await expect(invitee).toHaveURL(/\/invitations\//);
  await expect(invitee.getByText("as viewer")).toBeVisible();
  await invitee.getByRole("button", { name: /Accept and join/ }).click();
  await expect(invitee).toHaveURL(new RegExp(`/teams/${teamId}$`));
  await expect(invitee.getByText("Your role: viewer")).toBeVisible();
  await expect(invitee.getByTestId("project-item")).toHaveCount(1);
  await expect(invitee.getByRole("heading", { name: "New project" })).toHaveCount(0);

  await invitee.goto(projectUrl);
  await expect(invitee.getByRole("heading", { level: 1, name: "shared project" })).toBeVisible();
  // Neither datasets nor models can be added by a viewer; both cards say who can.
  for (const card of ["datasets", "models"]) {
    await expect(
      invitee.getByTestId(card).getByText("A member of the team can add one."),
    ).toBeVisible();
  }
  for (const control of ["Edit project", "Upload dataset", "Add corpus", "Upload"]) {
    await expect(invitee.getByRole("button", { name: control })).toHaveCount(0);
  }
  await expect(invitee.getByRole("link", { name: "New study" })).toHaveCount(0);

  await invitee.goto(`/teams/${teamId}/settings`);
  await expect(invitee.getByTestId("member-row")).toHaveCount(2);
  await expect(invitee.getByRole("heading", { name: "Invitations" })).toHaveCount(0);
  await expect(invitee.getByRole("combobox", { name: /Role of/ })).toHaveCount(0);
  await expect(invitee.getByRole("button", { name: "Rename" })).toHaveCount(0);

  // The owner sees the new member and can make them a member.
  await page.reload();
  await page.getByRole("combobox", { name: `Role of ${viewer.name}` }).selectOption("member");
  await expect(page.getByRole("combobox", { name: `Role of ${viewer.name}` })).toHaveValue(
    "member",
  );

  const outsider = await newPage(browser);
  await signUp(outsider, newPerson("Otto"));
  await outsider.goto(projectUrl);
  await expect(outsider.getByTestId("error-note")).toContainText(
    "does not exist, or your teams cannot see it",
  );
  await outsider.goto(new URL(link).pathname);
  await expect(outsider.getByText("This invitation does not exist")).toBeVisible();
});

test("a new API key comes with a CLI login and a script, ready to paste, that reach this team", async ({
  page,
}) => {
  await signUp(page, newPerson("Kai"));
  const teamName = `Scripts ${Date.now()}`;
  const teamId = await createTeam(page, teamName);
  await page.goto(`/teams/${teamId}/settings`);
  await page.getByLabel("Key name").fill("laptop");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByTestId("api-key-secret").inputValue();
  const origin = new URL(page.url()).origin;
  await expect(page.getByTestId("api-key-cli")).toContainText(
    `npx attune login --url ${origin} --key ${key}`,
  );
  await expect(page.getByTestId("api-key-script")).toContainText(`url: "${origin}"`);

  // The key in the snippets is one the API takes, as the client sends it, without the session.
  const script = await request.newContext();
  const response = await script.get(`${origin}/api/trpc/teams.list`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.ok()).toBe(true);
  expect(JSON.stringify(await response.json())).toContain(teamName);
  await script.dispose();
});
