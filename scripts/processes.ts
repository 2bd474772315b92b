// Child processes of the launchers: each in its own process group, so one signal stops the whole
// tree (npm, next, workers), and recorded on disk, so a launcher killed with SIGKILL leaves nothing
// that the next start cannot find and stop.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { log } from "@attune/runtime/log";
import { isProcessAlive, isProcessGroupAlive } from "@attune/runtime/process";

interface Recorded {
  launcherPid: number;
  groups: { name: string; pgid: number }[];
}

async function stopGroup(name: string, pgid: number, timeoutMs = 15_000): Promise<void> {
  if (!isProcessGroupAlive(pgid)) return;
  process.kill(-pgid, "SIGTERM");
  for (let waited = 0; isProcessGroupAlive(pgid); waited += 100) {
    if (waited >= timeoutMs) {
      log.warn("process.kill", {
        name,
        pgid,
        reason: `still running ${timeoutMs} ms after SIGTERM`,
      });
      process.kill(-pgid, "SIGKILL");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class ProcessGroup {
  private readonly children = new Map<string, ChildProcess>();

  constructor(private readonly recordPath: string) {}

  /** Stops what a launcher that died without cleaning up left running. */
  async stopLeftovers(): Promise<void> {
    if (!existsSync(this.recordPath)) return;
    const recorded = JSON.parse(readFileSync(this.recordPath, "utf8")) as Recorded;
    if (isProcessAlive(recorded.launcherPid) && recorded.launcherPid !== process.pid) {
      throw new Error(
        `Attune is already running (launcher pid ${recorded.launcherPid}); stop it with Ctrl-C or \`kill ${recorded.launcherPid}\` first.`,
      );
    }
    for (const { name, pgid } of recorded.groups) {
      if (isProcessGroupAlive(pgid)) log.warn("process.leftover.stopping", { name, pgid });
      await stopGroup(name, pgid);
    }
    rmSync(this.recordPath, { force: true });
  }

  start(
    name: string,
    command: string,
    args: string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    const child = spawn(command, args, { ...options, detached: true, stdio: "inherit" });
    this.children.set(name, child);
    this.record();
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children].map(([name, child]) =>
        child.pid ? stopGroup(name, child.pid) : undefined,
      ),
    );
    this.children.clear();
    rmSync(this.recordPath, { force: true });
  }

  private record() {
    const groups = [...this.children].flatMap(([name, child]) =>
      child.pid ? [{ name, pgid: child.pid }] : [],
    );
    const recorded: Recorded = { launcherPid: process.pid, groups };
    writeFileSync(this.recordPath, `${JSON.stringify(recorded, null, 2)}\n`);
  }
}
