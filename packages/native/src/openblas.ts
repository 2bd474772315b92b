// OpenBLAS, which the native kernels open at run time, on a machine that may not have it yet:
// `npm start`, `npm run runner` and `npm test` call ensureOpenBlas() before training, so a fresh
// machine gets the fast path from the README's commands alone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { aptInstallCommand, canInstallDebianPackages, installDebianPackages } from "./debian.ts";

/** The library the addon opens, and Debian's package that provides it (-openmp and -serial would too). */
export const openBlasLibrary = "libopenblas.so.0";
export const openBlasPackage = "libopenblas0-pthread";

export type OpenBlasSetup =
  | { state: "present" | "installed" }
  /** ATTUNE_NATIVE=0: the native kernels are off, so OpenBLAS is not wanted. */
  | { state: "not-needed" }
  /** Training will run on plain wasm; `advice` says so in one line, with the command to run. */
  | { state: "missing"; advice: string };

/** Whether the dynamic linker finds libopenblas.so.0, in its cache or on LD_LIBRARY_PATH. */
export function isOpenBlasInstalled(): boolean {
  const ldconfig = existsSync("/sbin/ldconfig") ? "/sbin/ldconfig" : "ldconfig";
  const cache = spawnSync(ldconfig, ["-p"], { encoding: "utf8" }).stdout ?? "";
  if (cache.includes(`${openBlasLibrary} (`)) return true;
  const paths = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  return paths.some((dir) => existsSync(join(dir, openBlasLibrary)));
}

/**
 * Installs OpenBLAS with apt-get where this process may (root) and `found` says it is missing;
 * calls `installing` first, since that takes a while. Never throws: without OpenBLAS, training
 * still runs, on plain wasm.
 */
export function ensureOpenBlas(
  installing: () => void = () => {},
  found: () => boolean = isOpenBlasInstalled,
): OpenBlasSetup {
  if (process.env.ATTUNE_NATIVE === "0") return { state: "not-needed" };
  if (found()) return { state: "present" };
  const command = aptInstallCommand([openBlasPackage]);
  const slower = "so training runs on plain wasm, several times slower than the native kernels";
  if (!canInstallDebianPackages()) {
    return { state: "missing", advice: `OpenBLAS is not installed, ${slower}: run \`${command}\`` };
  }
  installing();
  try {
    installDebianPackages([openBlasPackage]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { state: "missing", advice: `${reason}, ${slower}: run \`${command}\`` };
  }
  if (found()) return { state: "installed" };
  const advice = `apt-get installed ${openBlasPackage} but ${openBlasLibrary} is still not found, ${slower}`;
  return { state: "missing", advice };
}
