import { expect, test } from "@playwright/test";
import { newPerson, signUp } from "../support/auth.ts";

test("home page shows a healthy database, and only that", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Attune" })).toBeVisible();
  await expect(page.getByTestId("health-database")).toHaveText("ok", { timeout: 5_000 });
  await expect(page.getByTestId("health-status")).toHaveText("ok");
  await expect(page.getByTestId("health-migrations")).toHaveCount(0);
});

test("the runners page shows a signed-in user the migrations and the queue", async ({ page }) => {
  await signUp(page, newPerson("Starbuck"));
  await page.goto("/runners");
  const health = page.getByTestId("system-health");
  await expect(health.getByTestId("health-database")).toHaveText("ok", { timeout: 5_000 });
  await expect(health.getByTestId("health-migrations")).toContainText("applied");
  await expect(health.getByTestId("health-queue")).toContainText("ok");
});

test("GET /api/health answers 200 with the database ok and nothing else", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("no-store");
  const health = (await response.json()) as { database: string; status: string };
  expect(health.database).toBe("ok");
  expect(Object.keys(health).sort()).toEqual(["checkedAt", "database", "status"]);
});

test("pages name an icon that the server serves", async ({ page, request }) => {
  await page.goto("/");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await request.get(href as string);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});
