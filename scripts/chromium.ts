// Browser tests need Chromium. Playwright cannot download its own here, so the suite uses Debian's,
// installing it when it can (root with apt-get) and otherwise saying which package is missing.
import { existsSync } from "node:fs";
import {
  aptInstallCommand,
  canInstallDebianPackages,
  installDebianPackages,
} from "@attune/native/debian";

export function ensureChromium(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return path;
  if (process.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH is ${path}, but there is no file there.`);
  }
  if (!canInstallDebianPackages()) {
    throw new Error(
      `The browser tests need Chromium at /usr/bin/chromium: install Debian's package (\`${aptInstallCommand(["chromium"])}\`) or set CHROMIUM_PATH.`,
    );
  }
  console.log("Installing Debian's chromium for the browser tests (apt-get install chromium)…");
  installDebianPackages(["chromium"]);
  if (!existsSync(path))
    throw new Error(`apt-get installed chromium, but ${path} is still missing.`);
  return path;
}
