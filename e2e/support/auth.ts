// Signing up and in through the app's own pages, as a user would. better-auth allows only a few
// sign-ups and sign-ins per address in a short window (and every browser test shares one address),
// so a refused attempt is retried once the window has passed.
import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery staple";

export interface Person {
  name: string;
  email: string;
}

/** A person no other test has used: their email address is unique. */
export function newPerson(first: string): Person {
  const id = randomUUID().slice(0, 8);
  return { name: `${first} ${id}`, email: `${first.toLowerCase()}-${id}@example.com` };
}

const RATE_LIMITED = /Too many attempts/;
/** better-auth's window for sign-ups and sign-ins, plus a margin. */
const RATE_WINDOW_MS = 11_000;

async function submitUntilAccepted(page: Page, button: string, leftPage: () => Promise<boolean>) {
  for (let attempt = 1; ; attempt++) {
    await page.getByRole("button", { name: button }).click();
    const alert = page.locator("#auth-error");
    await expect(async () => {
      expect((await leftPage()) || (await alert.isVisible())).toBe(true);
    }).toPass({ timeout: 15_000 });
    if (await leftPage()) return;
    const message = (await alert.textContent()) ?? "";
    if (!RATE_LIMITED.test(message) || attempt === 4) {
      throw new Error(`${button} failed: ${message}`);
    }
    await page.waitForTimeout(RATE_WINDOW_MS);
  }
}

/** Fills in the sign-up page the browser is on and submits it until the app lets the person in. */
export async function signUpHere(page: Page, person: Person) {
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await submitUntilAccepted(
    page,
    "Create account",
    async () => !new URL(page.url()).pathname.startsWith("/sign-up"),
  );
}

/** Opens the sign-up page and creates the person's account; the browser ends up on /teams. */
export async function signUp(page: Page, person: Person) {
  await page.goto("/sign-up");
  await signUpHere(page, person);
  await expect(page).toHaveURL(/\/teams$/);
}

/** Signs the person in from the sign-in page the browser is on. */
export async function signInHere(page: Page, person: Person) {
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await submitUntilAccepted(
    page,
    "Sign in",
    async () => !new URL(page.url()).pathname.startsWith("/sign-in"),
  );
}
