// `npm start`: the embedded PostgreSQL (or DATABASE_URL), migrations, the web app and one runner.
// Ctrl-C stops the apps, then the database.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { migrateDatabase } from "@attune/db";
import { DatabaseSetupError, ensureDatabase, isPortFree } from "@attune/db/embedded";
import { embeddedDataFolder, projectRoot } from "@attune/db/paths";
import { log } from "@attune/runtime/log";
import { prepareOpenBlas } from "./openblas.ts";
import { ProcessGroup } from "./processes.ts";

const root = projectRoot();
mkdirSync(join(root, ".attune"), { recursive: true });
const processes = new ProcessGroup(join(root, ".attune", "processes.json"));

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The wanted port, or the next free one, said plainly. */
async function choosePort(wanted: number): Promise<number> {
  for (let port = wanted; port < wanted + 20; port++) {
    if ((await isPortFree(port, "0.0.0.0")) && (await isPortFree(port, "127.0.0.1"))) {
      if (port !== wanted)
        console.log(`Port ${wanted} is in use; the web app will use port ${port} instead.`);
      return port;
    }
  }
  return exitWith(`Ports ${wanted} to ${wanted + 19} are all in use; set PORT to a free port.`);
}

/**
 * The key that signs sessions: BETTER_AUTH_SECRET when set, else one made on the first start and
 * kept beside the embedded database, so sessions outlive a restart. Without one, better-auth
 * refuses every sign-in of a production build.
 */
function authSecret(): string {
  if (process.env.BETTER_AUTH_SECRET) return process.env.BETTER_AUTH_SECRET;
  const path = join(root, ".attune", "auth-secret");
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  }
  return readFileSync(path, "utf8").trim();
}

async function waitForHealth(url: string, timeoutMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

await processes.stopLeftovers().catch((error: Error) => exitWith(error.message));
// Before the apps start: both train or generate on the native kernels where OpenBLAS is there.
prepareOpenBlas();

const database = await ensureDatabase(embeddedDataFolder()).catch((error: unknown) =>
  exitWith(error instanceof DatabaseSetupError ? error.message : String(error)),
);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("Stopping Attune…");
  await processes.stopAll();
  await database.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGHUP", () => void shutdown(0));

try {
  await migrateDatabase(database.url);
} catch (error) {
  console.error(`Migrating the database failed: ${(error as Error).message}`);
  await shutdown(1);
}

console.log("Building the web app (cached after the first time)…");
const build = spawnSync(
  "npx",
  ["turbo", "run", "build", "--filter=@attune/web", "--output-logs=errors-only"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (build.status !== 0) {
  console.error("Building the web app failed; see the output above.");
  await shutdown(1);
}

const port = await choosePort(Number(process.env.PORT ?? 3000));
const env = {
  ...process.env,
  DATABASE_URL: database.url,
  PORT: String(port),
  BETTER_AUTH_SECRET: authSecret(),
  // Sign-in accepts requests only from the app's own origin: the address printed below, and the
  // same port on 127.0.0.1.
  BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? `http://localhost:${port}`,
  BETTER_AUTH_TRUSTED_ORIGINS:
    process.env.BETTER_AUTH_TRUSTED_ORIGINS ?? `http://127.0.0.1:${port}`,
};
const children = [
  // The web app's own server (apps/web/server.ts), which tells sign-in's rate limits each
  // request's peer address.
  processes.start("web", process.execPath, ["--import", "tsx", "server.ts", "-p", String(port)], {
    cwd: join(root, "apps", "web"),
    env: { ...env, NODE_ENV: "production" },
  }),
  processes.start("runner", process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: join(root, "apps", "gpu-runner"),
    env,
  }),
];
for (const [name, child] of [
  ["web", children[0]],
  ["runner", children[1]],
] as const) {
  child?.once("exit", (code, signal) => {
    if (stopping) return;
    log.error("process.exited", { name, code, signal });
    void shutdown(1);
  });
}

if (await waitForHealth(`http://127.0.0.1:${port}/api/health`, 90_000)) {
  console.log(`Attune is running on http://localhost:${port} — Ctrl-C stops it.`);
} else {
  console.error(
    `The web app did not report healthy on port ${port} within 90 s; see its output above.`,
  );
}
