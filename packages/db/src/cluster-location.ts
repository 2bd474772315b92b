// Where the embedded PostgreSQL's cluster (its data directory) lives. Everything else the launcher
// keeps (credentials, log, state) stays in its folder; only the data directory must be reachable by
// the server's user. Where the folder is, that is `<folder>/data`. Where it is not (a clone in
// root's home, run as root), the folder gets a cluster of its own under /var/lib/attune/clusters,
// recorded in `<folder>/cluster.json` so that every later start finds the same data.

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { log } from "@attune/runtime/log";
import { canReach, makeDir, type ServerUser, SYSTEM_DIR } from "./server-user.ts";
import { DatabaseSetupError } from "./setup-error.ts";

/** What `<folder>/cluster.json` holds. */
export interface ClusterRecord {
  dataDir: string;
  /** The absolute path of the folder the cluster belongs to: a copied or moved folder differs. */
  folder: string;
}

const RECORD_FILE = "cluster.json";
export const SYSTEM_CLUSTERS = join(SYSTEM_DIR, "clusters");

/** The data directory for the embedded server whose files are in `folder`, made ready for `user`. */
export async function clusterDataDir(
  folder: string,
  user: ServerUser,
  clusters = SYSTEM_CLUSTERS,
): Promise<string> {
  const here = resolve(folder);
  const record = await readRecord(here);
  if (record?.folder === here) return recordedCluster(record.dataDir, user);
  if (record) return copiedOrMoved(record, here, user, clusters);

  const inFolder = join(here, "data");
  if (await canReach(here, user)) return inFolder;
  if (existsSync(join(inFolder, "PG_VERSION"))) {
    throw new DatabaseSetupError(
      `${inFolder} holds a PostgreSQL cluster that the "postgres" user (which runs the server for root) cannot reach: a folder above it is closed to other users. Move the project to where that user can enter, or delete ${inFolder} to start with an empty database, or set DATABASE_URL.`,
    );
  }
  return newCluster(here, user, clusters, `${here} is not reachable by the postgres user`);
}

/**
 * A cluster.json recorded for another path: the folder was copied (cp -r) or moved. A copy whose
 * original still uses the cluster gets its own: two clones sharing one would mix their data.
 */
async function copiedOrMoved(
  record: ClusterRecord,
  here: string,
  user: ServerUser,
  clusters: string,
): Promise<string> {
  const original = await readRecord(record.folder).catch(() => undefined);
  if (original?.dataDir === record.dataDir) {
    return newCluster(
      here,
      user,
      clusters,
      `${here} is a copy of ${record.folder}, which keeps its own cluster`,
    );
  }
  await writeRecord(here, { dataDir: record.dataDir, folder: here });
  log.info("postgres.cluster.moved", {
    dataDir: record.dataDir,
    folder: here,
    previousFolder: record.folder,
  });
  return recordedCluster(record.dataDir, user);
}

async function recordedCluster(dataDir: string, user: ServerUser): Promise<string> {
  if (!existsSync(dirname(dataDir))) {
    // Someone removed it: start over in the same place rather than fail on every start.
    log.warn("postgres.cluster.missing", {
      dataDir,
      message: `The embedded PostgreSQL's data in ${dataDir} is gone; starting with an empty database there.`,
    });
    await makeClusterDir(dirname(dataDir), user);
  }
  return dataDir;
}

async function newCluster(
  here: string,
  user: ServerUser,
  clusters: string,
  reason: string,
): Promise<string> {
  const dataDir = join(clusters, randomBytes(8).toString("hex"), "data");
  await makeClusterDir(dirname(dataDir), user);
  await writeRecord(here, { dataDir, folder: here });
  log.info("postgres.cluster.created", {
    dataDir,
    folder: here,
    message: `The embedded PostgreSQL keeps its data in ${dataDir} (${reason}); ${join(here, RECORD_FILE)} records it.`,
  });
  return dataDir;
}

/** The clusters folder lets others pass but not list (0711); each cluster is its user's alone. */
async function makeClusterDir(clusterDir: string, user: ServerUser): Promise<void> {
  const clusters = dirname(clusterDir);
  try {
    await makeDir(dirname(clusters), 0o711);
    await makeDir(clusters, 0o711);
    await makeDir(clusterDir, 0o700);
    if (user.uid !== undefined && user.gid !== undefined)
      await chown(clusterDir, user.uid, user.gid);
  } catch (error) {
    throw new DatabaseSetupError(
      `Could not make ${clusterDir} for the embedded PostgreSQL's data (${(error as Error).message}). Make that possible, move the project to a folder other users can enter, or set DATABASE_URL.`,
    );
  }
}

async function readRecord(folder: string): Promise<ClusterRecord | undefined> {
  const path = join(folder, RECORD_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as Partial<ClusterRecord>;
    if (typeof record.dataDir === "string" && typeof record.folder === "string")
      return { dataDir: record.dataDir, folder: record.folder };
  } catch {
    // reported below
  }
  throw new DatabaseSetupError(
    `${path} should record where this folder's database lives ({"dataDir": …, "folder": …}) but is unreadable. Fix it, or delete it to start with an empty database.`,
  );
}

async function writeRecord(folder: string, record: ClusterRecord): Promise<void> {
  await writeFile(join(folder, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}
