// Finding OpenBLAS, and what a launcher does when it is there, unwanted, or cannot be installed.
// (Installing it as root with apt-get is not done from a test: it changes the machine.)
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ensureOpenBlas,
  isOpenBlasInstalled,
  openBlasLibrary,
  openBlasPackage,
} from "../src/openblas.ts";

const environment = { ...process.env };
afterEach(() => {
  process.env = { ...environment };
});

describe("OpenBLAS", () => {
  it("is found where the dynamic linker finds it: its cache or LD_LIBRARY_PATH", () => {
    delete process.env.LD_LIBRARY_PATH;
    const cache = execFileSync("/sbin/ldconfig", ["-p"], { encoding: "utf8" });
    expect(isOpenBlasInstalled()).toBe(cache.includes(`${openBlasLibrary} (`));
    const folder = mkdtempSync(join(tmpdir(), "attune-blas-"));
    writeFileSync(join(folder, openBlasLibrary), "");
    process.env.LD_LIBRARY_PATH = `/nonexistent:${folder}`;
    expect(isOpenBlasInstalled()).toBe(true);
  });

  it("is left alone when present", () => {
    delete process.env.ATTUNE_NATIVE;
    const installing = vi.fn();
    expect(ensureOpenBlas(installing, () => true)).toEqual({ state: "present" });
    expect(installing).not.toHaveBeenCalled();
  });

  it("is neither looked for nor installed when ATTUNE_NATIVE=0 turns the native kernels off", () => {
    process.env.ATTUNE_NATIVE = "0";
    const installing = vi.fn();
    const found = vi.fn(() => false);
    expect(ensureOpenBlas(installing, found)).toEqual({ state: "not-needed" });
    expect(installing).not.toHaveBeenCalled();
    expect(found).not.toHaveBeenCalled();
  });

  it("missing where it cannot be installed, is advised in one line with the command", () => {
    // No apt-get on the PATH: as for a user who is not root, ensureOpenBlas only advises.
    delete process.env.ATTUNE_NATIVE;
    process.env.PATH = mkdtempSync(join(tmpdir(), "attune-empty-path-"));
    const installing = vi.fn();
    const setup = ensureOpenBlas(installing, () => false);
    expect(installing).not.toHaveBeenCalled();
    expect(setup).toEqual({ state: "missing", advice: expect.any(String) });
    const { advice } = setup as { advice: string };
    expect(advice).toContain(`\`sudo apt-get install ${openBlasPackage}\``);
    expect(advice).toContain("plain wasm");
    expect(advice).not.toContain("\n");
  });
});
