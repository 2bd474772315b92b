// Where `attune login` keeps the server and key: ~/.config/attune/config.json, readable by the
// user alone, since the key acts for a whole team.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { AttuneClientOptions } from "./index.ts";

export function configPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "attune", "config.json");
}

export async function saveConfig(config: AttuneClientOptions): Promise<string> {
  const path = configPath();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file; an older one is narrowed too.
  await chmod(path, 0o600);
  return path;
}

/** The saved login, or undefined before the first `attune login`. */
export async function loadConfig(): Promise<AttuneClientOptions | undefined> {
  const text = await readFile(configPath(), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const { url, apiKey } = JSON.parse(text) as Partial<AttuneClientOptions>;
  if (typeof url !== "string" || typeof apiKey !== "string") {
    throw new Error(`${configPath()} is not a saved login; run \`attune login\` again`);
  }
  return { url, apiKey };
}
