// Debian packages that Attune needs at run time (OpenBLAS for the native kernels, Chromium for the
// browser tests) and installs itself where it may: as root, with apt-get. Elsewhere callers say
// which command would install them.
import { spawnSync } from "node:child_process";

/** Whether this process may install Debian packages: it is root and apt-get is on the PATH. */
export function canInstallDebianPackages(): boolean {
  return process.getuid?.() === 0 && spawnSync("which", ["apt-get"]).status === 0;
}

/** The command a person runs to install `packages`. */
export function aptInstallCommand(packages: string[]): string {
  return `sudo apt-get install ${packages.join(" ")}`;
}

/**
 * apt-get update, then install `packages`; throws saying which step failed. apt's output goes to
 * stderr, so that a process whose stdout is a log of JSON lines keeps it so.
 */
export function installDebianPackages(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Another process may be installing at the same moment (two runners starting together).
  const waitForLock = ["-o", "DPkg::Lock::Timeout=300"];
  for (const args of [
    ["update", "-qq", ...waitForLock],
    ["install", "-y", "-qq", ...waitForLock, ...packages],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: ["ignore", 2, 2], env });
    if (result.status !== 0) {
      throw new Error(
        `apt-get ${args[0]} failed (${result.error?.message ?? `exit ${result.status}`}) while installing ${packages.join(", ")}`,
      );
    }
  }
}
