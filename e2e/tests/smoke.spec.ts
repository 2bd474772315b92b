import { expect, test } from "@playwright/test";

test("home page shows a healthy database", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Attune" })).toBeVisible();
  await expect(page.getByTestId("health-database")).toHaveText("ok", { timeout: 5_000 });
  await expect(page.getByTestId("health-migrations")).toContainText("applied");
  await expect(page.getByTestId("health-queue")).toContainText("ok");
});

test("GET /api/health answers 200 with the database ok", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("no-store");
  const health = (await response.json()) as { database: string; status: string };
  expect(health.database).toBe("ok");
});

test("pages name an icon that the server serves", async ({ page, request }) => {
  await page.goto("/");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await request.get(href as string);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});
