// `npm test`: lint and format check, strict typecheck, every workspace's tests against a real
// PostgreSQL (DATABASE_URL, or an embedded one kept apart from the development data), and the
// browser tests in Chromium.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { migrateDatabase } from "@attune/db";
import { DatabaseSetupError, ensureDatabase } from "@attune/db/embedded";
import { projectRoot } from "@attune/db/paths";
import { ensureChromium } from "./chromium.ts";
import { prepareOpenBlas } from "./openblas.ts";

const root = projectRoot();

function run(
  title: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  console.log(`\n▶ ${title}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  return result.status === 0;
}

let chromium: string;
try {
  chromium = ensureChromium();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

prepareOpenBlas();

const database = await ensureDatabase(
  process.env.ATTUNE_TEST_DATA_DIR ?? join(root, ".attune", "test-postgres"),
).catch((error: unknown) => {
  console.error(error instanceof DatabaseSetupError ? error.message : error);
  process.exit(1);
});

const results: [string, boolean][] = [];
try {
  await migrateDatabase(database.url);
  const env = { ...process.env, DATABASE_URL: database.url, CHROMIUM_PATH: chromium };
  results.push(["lint", run("lint and format", "npx", ["biome", "ci", "."])]);
  results.push([
    "typecheck, build, unit, integration and browser tests",
    run(
      "workspaces",
      "npx",
      ["turbo", "run", "typecheck", "build", "test", "--concurrency=2", "--output-logs=new-only"],
      env,
    ),
  ]);
} finally {
  await database.stop();
}

const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
if (failed.length > 0) {
  console.error(`\nnpm test failed: ${failed.join("; ")}`);
  process.exit(1);
}
console.log("\nnpm test: every step passed");
