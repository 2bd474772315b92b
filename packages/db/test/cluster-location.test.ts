import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterRecord, clusterDataDir } from "../src/cluster-location.ts";
import { canReach, type ServerUser, serverUser } from "../src/server-user.ts";
import { DatabaseSetupError } from "../src/setup-error.ts";

const isRoot = process.getuid?.() === 0;
const made: string[] = [];

/** A temporary folder with the given mode: 0700 is one only its owner may enter. */
function folderWithMode(mode: number): string {
  const folder = mkdtempSync(join(tmpdir(), "attune-location-"));
  chmodSync(folder, mode);
  made.push(folder);
  return folder;
}

function record(folder: string): ClusterRecord {
  return JSON.parse(readFileSync(join(folder, "cluster.json"), "utf8"));
}

// Clusters go to a scratch folder here rather than /var/lib/attune/clusters.
const clusters = join(folderWithMode(0o711), "clusters");
let user: ServerUser;

beforeAll(async () => {
  user = await serverUser();
});

afterAll(() => {
  for (const folder of made) rmSync(folder, { recursive: true, force: true });
});

describe("cluster location", () => {
  it("keeps the data in the folder when the server's user can reach it", async () => {
    const folder = join(folderWithMode(0o755), "postgres");
    mkdirSync(folder);
    expect(await clusterDataDir(folder, user, clusters)).toBe(join(folder, "data"));
    expect(existsSync(join(folder, "cluster.json"))).toBe(false);
  });

  it("keeps the data in the folder when the server runs as this user", async () => {
    const folder = join(folderWithMode(0o700), "clone", ".attune", "postgres");
    mkdirSync(folder, { recursive: true });
    expect(await clusterDataDir(folder, {}, clusters)).toBe(join(folder, "data"));
  });

  it("names a cluster.json it cannot read", async () => {
    const folder = folderWithMode(0o700);
    writeFileSync(join(folder, "cluster.json"), "{ not json");
    const found = clusterDataDir(folder, user, clusters);
    await expect(found).rejects.toThrow(DatabaseSetupError);
    await expect(found).rejects.toThrow(`${join(folder, "cluster.json")} should record`);
  });
});

describe.skipIf(!isRoot)("cluster location as root, below a folder only root may enter", () => {
  /** `<closed>/clone/.attune/postgres`, as `npm start` would make it. */
  function closedFolder(): string {
    const folder = join(folderWithMode(0o700), "clone", ".attune", "postgres");
    mkdirSync(folder, { recursive: true });
    return folder;
  }

  it("gives the folder a cluster of its own that the postgres user alone may enter", async () => {
    const folder = closedFolder();
    const dataDir = await clusterDataDir(folder, user, clusters);
    expect(dirname(dirname(dataDir))).toBe(clusters);
    expect(record(folder)).toEqual({ dataDir, folder });
    const cluster = statSync(dirname(dataDir));
    expect([cluster.uid, cluster.mode & 0o777]).toEqual([user.uid, 0o700]);
    expect(statSync(clusters).mode & 0o777).toBe(0o711);
    expect(await canReach(dirname(dataDir), user)).toBe(true);
    // The next start finds the same cluster.
    expect(await clusterDataDir(folder, user, clusters)).toBe(dataDir);
  });

  it("gives a copied folder its own cluster while the original keeps its", async () => {
    const original = closedFolder();
    const dataDir = await clusterDataDir(original, user, clusters);
    const copy = join(folderWithMode(0o700), "postgres");
    cpSync(original, copy, { recursive: true });

    const copyDataDir = await clusterDataDir(copy, user, clusters);
    expect(copyDataDir).not.toBe(dataDir);
    expect(record(copy)).toEqual({ dataDir: copyDataDir, folder: copy });
    expect(await clusterDataDir(original, user, clusters)).toBe(dataDir);
    expect(record(original)).toEqual({ dataDir, folder: original });
  });

  it("lets the cluster follow a moved folder", async () => {
    const original = closedFolder();
    const dataDir = await clusterDataDir(original, user, clusters);
    const moved = join(folderWithMode(0o700), "postgres");
    renameSync(original, moved);

    expect(await clusterDataDir(moved, user, clusters)).toBe(dataDir);
    expect(record(moved)).toEqual({ dataDir, folder: moved });
  });

  it("makes a recorded cluster again if it was deleted", async () => {
    const folder = closedFolder();
    const dataDir = await clusterDataDir(folder, user, clusters);
    rmSync(dirname(dataDir), { recursive: true });
    expect(await clusterDataDir(folder, user, clusters)).toBe(dataDir);
    expect(statSync(dirname(dataDir)).uid).toBe(user.uid);
  });

  it("does not hide a cluster already kept in the folder", async () => {
    const folder = closedFolder();
    mkdirSync(join(folder, "data"));
    writeFileSync(join(folder, "data", "PG_VERSION"), "18\n");
    await expect(clusterDataDir(folder, user, clusters)).rejects.toThrow(
      `${join(folder, "data")} holds a PostgreSQL cluster that the "postgres" user`,
    );
  });
});
