// Who runs the embedded PostgreSQL, and what that user can reach. PostgreSQL refuses to run as root,
// so a root launcher runs it as the `postgres` user, which cannot enter a folder only its owner may
// enter (root's home, a mode-700 checkout). What the server needs from such a folder then goes under
// SYSTEM_DIR instead: the user's own folders are never opened up.

import { execFile } from "node:child_process";
import { chmod, mkdir } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Where a root launcher keeps what the `postgres` user must reach. */
export const SYSTEM_DIR = "/var/lib/attune";

/** The user the server runs as; unset ids mean this process's own user. */
export interface ServerUser {
  uid?: number;
  gid?: number;
}

/** As root, the `postgres` user (created if missing); else this process's user. */
export async function serverUser(): Promise<ServerUser> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await execFileAsync("id", [flag, "postgres"])).stdout);
  try {
    return { uid: await id("-u"), gid: await id("-g") };
  } catch {
    await execFileAsync("groupadd", ["--force", "postgres"]);
    await execFileAsync("useradd", ["--gid", "postgres", "--no-create-home", "postgres"]);
    return { uid: await id("-u"), gid: await id("-g") };
  }
}

/**
 * Whether `user` can enter every folder down to `path` (and run it, if it is a file). Asked of that
 * user itself, spawned as the server will be, so owner, group, mode and ACLs all count.
 */
export async function canReach(path: string, user: ServerUser): Promise<boolean> {
  if (user.uid === undefined) return true;
  try {
    await execFileAsync("test", ["-x", path], user);
    return true;
  } catch {
    return false;
  }
}

/** mkdir with exactly `mode` (mkdir's own is masked by the umask); an existing folder is kept as is. */
export async function makeDir(path: string, mode: number): Promise<void> {
  try {
    await mkdir(path, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  await chmod(path, mode);
}
