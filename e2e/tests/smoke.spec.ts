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

test("a page's scripts run only with the nonce of its response, which changes every time", async ({
  page,
  request,
}) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  const response = await page.goto("/");
  const policy = (await response?.headerValue("content-security-policy")) ?? "";
  const scriptSources = /script-src ([^;]*)/.exec(policy)?.[1] ?? "";
  expect(scriptSources).not.toContain("unsafe-inline");
  const nonce = /'nonce-([^']+)'/.exec(scriptSources)?.[1] as string;
  expect(nonce).toBeTruthy();
  expect(await (await request.get("/")).text()).not.toContain(nonce);
  // Every script Next.js rendered carries it, and they ran: the health shown is fetched by them.
  const nonces = await page
    .locator("script")
    .evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
  expect(nonces.length).toBeGreaterThan(0);
  expect(new Set(nonces)).toEqual(new Set([nonce]));
  await expect(page.getByTestId("health-database")).toHaveText("ok", { timeout: 5_000 });
  expect(violations).toEqual([]);

  // Markup injected into the page, as cross-site scripting would, runs nothing.
  await page.evaluate(() => {
    document.body.insertAdjacentHTML(
      "beforeend",
      `<img src="/no-such-image" onerror="document.body.dataset.injected = 'ran'">`,
    );
  });
  await expect.poll(() => violations.length).toBeGreaterThan(0);
  expect(await page.evaluate(() => document.body.dataset.injected)).toBeUndefined();
});

test("pages name an icon that the server serves", async ({ page, request }) => {
  await page.goto("/");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await request.get(href as string);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
});
