// A throwaway database on a server: created empty, migrated, dropped when done. For tests and
// benchmarks, which must never touch the data of the database they were pointed at.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase, type Database } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

export interface ScratchDatabase {
  url: string;
  db: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A new migrated database named `<prefix>_<random>` on the server `serverUrl` points at. */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  const admin = new URL(serverUrl);
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const db = createDatabase(url.toString(), { applicationName: prefix });
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.$client.end();
      const dropper = new pg.Client({ connectionString: admin.toString() });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
