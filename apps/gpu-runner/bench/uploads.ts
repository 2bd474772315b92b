// bench:fairness's last figure: /api/health latency in the web app (its production build, as
// `npm start` runs it) while 31 MiB datasets are uploaded one after another through the API.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { generateApiKey } from "@attune/api/api-keys";
import { createAttuneClient } from "@attune/client";
import { createApiKey, type Database } from "@attune/db";
import { isPortFree } from "@attune/db/embedded";
import { seedProject } from "@attune/db/seed";
import { probeHealthDuring } from "../../../e2e/support/health-probe.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const UPLOAD_MIB = 31;

export interface UploadHealth {
  uploads: number;
  uploadMs: number[];
  healthMs: number[];
}

async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 50; port++) if (await isPortFree(port)) return port;
  throw new Error(`no free port in ${from}..${from + 49} for the web app`);
}

/** Builds the web app when its build is not up to date (turbo's cache makes a rebuild free). */
function buildWebApp() {
  const build = spawnSync("npx", ["turbo", "run", "build", "--filter=@attune/web"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (build.status !== 0) throw new Error(`building the web app failed (exit ${build.status})`);
}

async function startWebApp(databaseUrl: string, port: number): Promise<ChildProcess> {
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts", "-p", String(port)], {
    cwd: `${repoRoot}/apps/web`,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_URL: origin,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (const started = Date.now(); Date.now() - started < 120_000; ) {
    if (child.exitCode !== null) throw new Error(`the web app exited with ${child.exitCode}`);
    const healthy = await fetch(`${origin}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return child;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill("SIGTERM");
  throw new Error("the web app did not answer /api/health within 120 s");
}

/** `uploads` uploads of 31 MiB each, one after another, with health checks throughout. */
export async function healthDuringUploads(
  db: Database,
  databaseUrl: string,
  uploads: number,
): Promise<UploadHealth> {
  buildWebApp();
  const port = await freePort(3400);
  const web = await startWebApp(databaseUrl, port);
  try {
    const { owner, team, project } = await seedProject(db);
    const secret = generateApiKey();
    await createApiKey(db, {
      referenceId: owner.id,
      teamId: team.id,
      key: secret.hash,
      start: secret.start,
    });
    const origin = `http://127.0.0.1:${port}`;
    const client = createAttuneClient({ url: origin, apiKey: secret.key });
    const line = "Call me Ishmael. Some years ago, never mind how long precisely.\n";
    const content = line.repeat(Math.floor((UPLOAD_MIB * 1024 * 1024) / line.length));
    const result: UploadHealth = { uploads, uploadMs: [], healthMs: [] };
    for (let n = 1; n <= uploads; n++) {
      const probed = await probeHealthDuring(origin, () =>
        client.datasets.upload.mutate({
          projectId: project.id,
          name: `upload ${n}`,
          format: "text",
          tokenizer: "char",
          content,
        }),
      );
      result.uploadMs.push(probed.workMs);
      result.healthMs.push(...probed.latenciesMs);
    }
    return result;
  } finally {
    web.kill("SIGTERM");
    if (web.exitCode === null) await once(web, "exit");
  }
}
