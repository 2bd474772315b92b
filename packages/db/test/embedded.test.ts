import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { checkReachable, DatabaseSetupError, startEmbeddedPostgres } from "../src/embedded.ts";

const holder = join(import.meta.dirname, "fixtures", "hold-database.ts");
const children: ChildProcess[] = [];
const folder = mkdtempSync(join(tmpdir(), "attune-embedded-"));
// mkdtemp makes the folder 0700; opened, the server's user (as root, "postgres") can enter it, so
// the data stays in the folder (closed-folder.test.ts covers a folder it cannot enter).
chmodSync(folder, 0o755);
const dataDir = join(folder, "data");

/** Runs the launcher in a child process, resolving with the URL it prints. */
function holdDatabase(
  folder: string,
): Promise<{ child: ChildProcess; url: string; owned: boolean }> {
  const child = spawn(process.execPath, ["--import", "tsx", holder, folder], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /URL (\S+) OWNED (\w+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1], owned: match[2] === "true" });
    });
    child.once("exit", (code) => reject(new Error(`launcher exited with ${code}: ${output}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Postmaster processes serving `dataDir` (backends have other command lines). */
function postmasters(dataDir: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", `postgres -D ${dataDir} `], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map(Number);
  } catch {
    return [];
  }
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map(killed));
  // A failed assertion can leave a server behind; tests must not.
  for (const pid of postmasters(dataDir)) process.kill(pid, "SIGINT");
});

describe("embedded PostgreSQL launcher", () => {
  it("keeps committed rows and runs one server after its launcher is SIGKILLed", async () => {
    const first = await holdDatabase(folder);
    expect(first.owned).toBe(true);
    await query(
      first.url,
      "create table kept (value text); insert into kept values ('before kill')",
    );
    first.child.kill("SIGKILL");
    await killed(first.child);
    // The server outlives its launcher: an orphan the next start must find.
    expect(postmasters(dataDir)).toHaveLength(1);

    const second = await holdDatabase(folder);
    expect(second.owned).toBe(true);
    expect(await query(second.url, "select value from kept")).toEqual([{ value: "before kill" }]);
    expect(postmasters(dataDir)).toHaveLength(1);

    // A second launcher while the owner lives shares the server instead of fighting over it.
    const third = await holdDatabase(folder);
    expect(third.owned).toBe(false);
    expect(third.url).toBe(second.url);
    expect(postmasters(dataDir)).toHaveLength(1);
    third.child.kill("SIGTERM");
    await killed(third.child);
    expect(await query(second.url, "select count(*)::int as n from kept")).toEqual([{ n: 1 }]);

    second.child.kill("SIGTERM");
    await killed(second.child);
    expect(postmasters(dataDir)).toHaveLength(0);
  });

  it("recovers every committed row after the server itself is SIGKILLed", async () => {
    const first = await holdDatabase(folder);
    await query(first.url, "insert into kept values ('before server kill')");
    const [pid] = postmasters(dataDir);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid as number, "SIGKILL");
    // Let the launcher reap it first: an orphaned zombie would keep its lock file looking in use.
    await until(() => !existsSync(`/proc/${pid}`));
    first.child.kill("SIGKILL");
    await killed(first.child);

    const second = await holdDatabase(folder);
    const rows = await query<{ value: string }>(
      second.url,
      "select value from kept order by value",
    );
    expect(rows.map((row) => row.value)).toEqual(["before kill", "before server kill"]);
    expect(postmasters(dataDir)).toHaveLength(1);
    second.child.kill("SIGTERM");
    await killed(second.child);
  });

  it("names the folder when the data folder cannot be created", async () => {
    const file = join(folder, "not-a-folder");
    writeFileSync(file, "");
    const target = join(file, "postgres");
    await expect(startEmbeddedPostgres(target)).rejects.toThrow(DatabaseSetupError);
    await expect(startEmbeddedPostgres(target)).rejects.toThrow(
      `The data folder ${target} is not writable`,
    );
  });

  it("keeps its credentials readable by the owner only", () => {
    expect(statSync(join(folder, "launcher.json")).mode & 0o777).toBe(0o600);
  });
});

describe("DATABASE_URL checks", () => {
  it("says which host refused the connection", async () => {
    await expect(checkReachable("postgres://user:pw@127.0.0.1:1/attune")).rejects.toThrow(
      /Cannot reach PostgreSQL at 127\.0\.0\.1:1\/attune: connection refused/,
    );
  });

  it("says the credentials were refused", async () => {
    const url = new URL(process.env.DATABASE_URL ?? "");
    url.password = "wrong-password";
    await expect(checkReachable(url.toString())).rejects.toThrow(/refused the credentials/);
  });
});
