// What a user does before any study: a team, a project in it, and a dataset, through the pages.
import { type Browser, expect, type Page } from "@playwright/test";
import { newPerson, type Person, signUp } from "./auth.ts";

/** A page in a browser context of its own: another person, with cookies of their own. */
export async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Creates a team from the teams page; returns its id. The name should be unique (its slug is). */
export async function createTeam(page: Page, name: string): Promise<string> {
  await page.goto("/teams");
  await page.getByLabel("Team name").fill(name);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page).toHaveURL(/\/teams\/[^/]+$/);
  return new URL(page.url()).pathname.split("/")[2] as string;
}

/** Creates a project on the team page the browser is on; returns the project page's URL. */
export async function createProject(page: Page, name: string): Promise<string> {
  await page.getByLabel("Project name").fill(name);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return page.url();
}

/** Adds a built-in corpus on the project page the browser is on. */
export async function addCorpus(page: Page, corpus: string) {
  await page.getByRole("button", { name: "Built-in corpus" }).click();
  await page.getByLabel("Corpus").selectOption(corpus);
  await page.getByRole("button", { name: "Add corpus" }).click();
  await expect(page.getByTestId("dataset-row").getByRole("link", { name: corpus })).toBeVisible({
    timeout: 30_000,
  });
}

export interface Workspace {
  person: Person;
  teamId: string;
  projectId: string;
}

/** A new person with a team of their own and a project holding Moby Dick, made in the browser. */
export async function signUpWithMobyDick(page: Page, first: string): Promise<Workspace> {
  const person = newPerson(first);
  await signUp(page, person);
  const teamId = await createTeam(page, `${first}'s lab ${Date.now()}`);
  const projectUrl = await createProject(page, "whales");
  await addCorpus(page, "moby-dick");
  const projectId = new URL(projectUrl).pathname.split("/")[2] as string;
  return { person, teamId, projectId };
}
