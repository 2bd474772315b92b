import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The monorepo's root: the nearest folder up from here whose package.json declares workspaces. */
export function projectRoot(from = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in JSON.parse(readFileSync(manifest, "utf8")))
      return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json with workspaces above ${from}`);
  }
}

/** Where the embedded PostgreSQL keeps its files: ATTUNE_DATA_DIR, or .attune/postgres in the project. */
export function embeddedDataFolder(): string {
  return process.env.ATTUNE_DATA_DIR ?? join(projectRoot(), ".attune", "postgres");
}
