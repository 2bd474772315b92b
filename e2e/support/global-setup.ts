// A runner process beside the web app, so studies created in the browser are trained for real.
// Playwright calls the returned function after the last test.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const runnerMain = fileURLToPath(new URL("../../apps/gpu-runner/src/main.ts", import.meta.url));

export default async function startRunner(): Promise<() => Promise<void>> {
  if (!process.env.DATABASE_URL) {
    throw new Error(
      "DATABASE_URL is not set: run the browser tests through `npm test`, or give them a migrated PostgreSQL",
    );
  }
  const runner = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      runnerMain,
      "--name",
      "e2e-runner",
      "--concurrency",
      "2",
      "--checkpoint-interval",
      "20",
      "--control-interval",
      "250",
    ],
    {
      env: { ...process.env, ATTUNE_LOG_LEVEL: process.env.ATTUNE_LOG_LEVEL ?? "warn" },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => runner.once("exit", () => resolve()));
  return async () => {
    runner.kill("SIGTERM");
    const forced = setTimeout(() => runner.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(forced);
  };
}
