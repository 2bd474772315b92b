import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";

// Against a running app when ATTUNE_E2E_BASE_URL is set; otherwise Playwright starts the built app
// itself on port 3100, with the DATABASE_URL of this process (the root test script provides a
// migrated database). Build the app first: `npx turbo run build --filter=@attune/web`.
const externalBaseUrl = process.env.ATTUNE_E2E_BASE_URL;
const port = 3100;
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./support/global-setup.ts",
  reporter: "list",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: externalBaseUrl ?? `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        // Debian's chromium: Playwright's own browser download is not reachable here.
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: externalBaseUrl
    ? undefined
    : {
        command: `npm run start -w @attune/web -- -p ${port}`,
        cwd: repoRoot,
        url: `http://127.0.0.1:${port}/api/health`,
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: "pipe",
        stderr: "pipe",
        // A production server signs sessions only with a secret of its own, and accepts sign-ins
        // only from the origin it serves: the one the browser opens.
        env: {
          BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
          BETTER_AUTH_SECRET:
            process.env.BETTER_AUTH_SECRET ?? randomBytes(32).toString("base64url"),
        },
      },
});
