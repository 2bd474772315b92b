// The embedded server for a clone in a folder only its owner may enter (like root's home). As root,
// the server runs as the `postgres` user, which cannot enter it: its cluster then lives under
// /var/lib/attune/clusters. Not as root, the same tests check the data in the folder itself.
import { spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isProcessAlive } from "@attune/runtime/process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { SYSTEM_CLUSTERS } from "../src/cluster-location.ts";
import { type DatabaseHandle, startEmbeddedPostgres } from "../src/embedded.ts";

const isRoot = process.getuid?.() === 0;
// Starting a server takes seconds, initialising one more: the machine may be busy.
const SLOW = 240_000;

const closed = mkdtempSync(join(tmpdir(), "attune-closed-"));
chmodSync(closed, 0o700);
const original = join(closed, "clone", ".attune", "postgres");
const copy = join(closed, "copy", ".attune", "postgres");
const moved = join(closed, "moved", ".attune", "postgres");
const running = new Set<DatabaseHandle>();
const holder = join(import.meta.dirname, "fixtures", "hold-database.ts");

async function start(folder: string): Promise<DatabaseHandle> {
  const handle = await startEmbeddedPostgres(folder);
  running.add(handle);
  return handle;
}

async function stop(handle: DatabaseHandle): Promise<void> {
  running.delete(handle);
  await handle.stop();
}

/** Where the folder's cluster is: recorded in cluster.json, else `<folder>/data`. */
function dataDirOf(folder: string): string {
  const recordPath = join(folder, "cluster.json");
  if (!existsSync(recordPath)) return join(folder, "data");
  return (JSON.parse(readFileSync(recordPath, "utf8")) as { dataDir: string }).dataDir;
}

async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const values = (url: string) => query(url, "select value from kept order by value");

/** The postmaster's pid from the cluster's postmaster.pid, if there is one. */
function postmasterOf(folder: string): number | undefined {
  const pidFile = join(dataDirOf(folder), "postmaster.pid");
  return existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : undefined;
}

afterAll(async () => {
  for (const handle of running) await handle.stop().catch(() => {});
  for (const folder of [original, copy, moved]) {
    // A failed test may have left a server behind; tests must not.
    const pid = postmasterOf(folder);
    if (pid && isProcessAlive(pid)) process.kill(pid, "SIGINT");
    const dataDir = dataDirOf(folder);
    if (dataDir.startsWith(`${SYSTEM_CLUSTERS}/`)) rmSync(dirname(dataDir), { recursive: true });
  }
  rmSync(closed, { recursive: true, force: true });
}, SLOW);

describe("embedded PostgreSQL in a folder only its owner may enter", () => {
  it(
    "keeps its rows across a restart",
    async () => {
      const first = await start(original);
      await query(first.url, "create table kept (value text); insert into kept values ('first')");
      await stop(first);

      const second = await start(original);
      expect(await values(second.url)).toEqual([{ value: "first" }]);
      await stop(second);

      const dataDir = dataDirOf(original);
      expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
      if (isRoot) expect(dataDir.startsWith(`${SYSTEM_CLUSTERS}/`)).toBe(true);
      else expect(dataDir).toBe(join(original, "data"));
    },
    SLOW,
  );

  it(
    "finds and stops the server a killed launcher left behind",
    async () => {
      const launcher = spawn(process.execPath, ["--import", "tsx", holder, original], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise((resolve) => launcher.once("exit", resolve));
      await new Promise<void>((resolve, reject) => {
        let output = "";
        launcher.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("URL ")) resolve();
        });
        launcher.once("exit", (code) =>
          reject(new Error(`launcher exited with ${code}: ${output}`)),
        );
      });
      const orphan = postmasterOf(original);
      launcher.kill("SIGKILL");
      await exited;
      expect(orphan && isProcessAlive(orphan)).toBe(true);

      const handle = await start(original);
      expect(isProcessAlive(orphan as number)).toBe(false);
      expect(await values(handle.url)).toEqual([{ value: "first" }]);
      await stop(handle);
    },
    SLOW,
  );

  it(
    "gives a copied clone its own cluster",
    async () => {
      cpSync(dirname(dirname(original)), dirname(dirname(copy)), { recursive: true });
      const a = await start(original);
      const b = await start(copy);
      expect(b.url).not.toBe(a.url);
      await query(a.url, "insert into kept values ('original, after the copy')");
      if (isRoot) {
        // A cluster of its own, made afresh: the original's table is not there.
        expect(dataDirOf(copy)).not.toBe(dataDirOf(original));
        expect(await query(b.url, "select to_regclass('kept') as kept")).toEqual([{ kept: null }]);
        await query(b.url, "create table kept (value text)");
      } else {
        expect(await values(b.url)).toEqual([{ value: "first" }]);
      }
      await query(b.url, "insert into kept values ('copy')");

      expect(await values(a.url)).toEqual([
        { value: "first" },
        { value: "original, after the copy" },
      ]);
      expect(await values(b.url)).not.toContainEqual({ value: "original, after the copy" });
      await stop(a);
      await stop(b);
    },
    SLOW,
  );

  it(
    "keeps the cluster of a moved clone",
    async () => {
      const dataDir = dataDirOf(copy);
      renameSync(dirname(dirname(copy)), dirname(dirname(moved)));
      const handle = await start(moved);
      expect(await values(handle.url)).toContainEqual({ value: "copy" });
      await stop(handle);
      if (isRoot) expect(dataDirOf(moved)).toBe(dataDir);
    },
    SLOW,
  );
});
