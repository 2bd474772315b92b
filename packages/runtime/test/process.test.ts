import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { isProcessAlive, isProcessGroupAlive } from "../src/process.ts";

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

/**
 * A shell in its own process group that starts a short child, prints its pid, then becomes a
 * `sleep` that never reaps it, so the short child stays a zombie until the group ends.
 */
async function groupWithZombie(): Promise<{ leader: ChildProcess; zombie: number }> {
  const leader = spawn("sh", ["-c", "true & echo $!; exec sleep 60"], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  children.push(leader);
  const [chunk] = (await once(leader.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  return { leader, zombie: Number(chunk.toString().trim()) };
}

/** Whether `condition` holds within a minute: the processes here end in milliseconds when quiet. */
async function until(condition: () => boolean) {
  for (const started = Date.now(); Date.now() - started < 60_000 && !condition(); ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe("isProcessAlive", () => {
  it("is true for a running process and false once it has exited", async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    children.push(child);
    expect(isProcessAlive(child.pid as number)).toBe(true);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(isProcessAlive(child.pid as number)).toBe(false);
  });

  it.runIf(process.platform === "linux")("counts a zombie as dead", async () => {
    const { zombie } = await groupWithZombie();
    expect(await until(() => !isProcessAlive(zombie))).toBe(true);
  });
});

describe("isProcessGroupAlive", () => {
  it("is true while a live process is in the group, false once only zombies or none are", async () => {
    const { leader } = await groupWithZombie();
    const pgid = leader.pid as number;
    expect(isProcessGroupAlive(pgid)).toBe(true);
    process.kill(-pgid, "SIGKILL");
    await once(leader, "exit");
    expect(await until(() => !isProcessGroupAlive(pgid))).toBe(true);
  });
});
