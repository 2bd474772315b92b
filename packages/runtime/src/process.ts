// Liveness of OS processes. A zombie (exited, not yet reaped by its parent) counts as dead: where
// the machine's init does not reap orphans, a killed process can stay a zombie indefinitely.
import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  state: string;
  pgrp: number;
}

/** Fields of /proc/<pid>/stat after the command name, which is in parentheses and may hold spaces. */
function readStat(pid: number | string): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!signalable(pid)) return false;
  if (process.platform !== "linux") return true;
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

/** Whether any live process is in process group `pgid`. */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!signalable(-pgid)) return false;
  if (process.platform !== "linux") return true;
  return readdirSync("/proc").some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const stat = readStat(entry);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== "Z";
  });
}
