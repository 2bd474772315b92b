// Browser tests need Chromium. Playwright cannot download its own here, so the suite uses Debian's,
// installing it when it can (root with apt-get) and otherwise saying which package is missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export function ensureChromium(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return path;
  if (process.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH is ${path}, but there is no file there.`);
  }
  const canInstall = process.getuid?.() === 0 && spawnSync("which", ["apt-get"]).status === 0;
  if (!canInstall) {
    throw new Error(
      "The browser tests need Chromium at /usr/bin/chromium: install Debian's `chromium` package (sudo apt-get install chromium) or set CHROMIUM_PATH.",
    );
  }
  console.log("Installing Debian's chromium for the browser tests (apt-get install chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "chromium"],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0)
      throw new Error(`apt-get ${args.join(" ")} failed (exit ${result.status}).`);
  }
  if (!existsSync(path))
    throw new Error(`apt-get installed chromium, but ${path} is still missing.`);
  return path;
}
