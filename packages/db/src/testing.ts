// Test support: each test file gets a fresh, migrated database on the test server.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { createDatabase, type Database } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

export interface TestDatabase {
  url: string;
  db: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set in the test process: run tests through `npm test`, or add @attune/db/test-global-setup to vitest's globalSetup",
    );
  }
  return url;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = new URL(serverUrl());
  const name = `attune_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const db = createDatabase(url.toString(), { applicationName: "attune-test" });
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

/**
 * Registers hooks that give the calling test file its own database for all its tests; read `db`
 * and `url` inside tests, after the hooks have run.
 */
export function useTestDatabase(): Pick<TestDatabase, "db" | "url"> {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase();
  });
  afterAll(async () => {
    await current?.drop();
  });
  const get = () => {
    if (!current) throw new Error("the test database is only there inside tests and hooks");
    return current;
  };
  return {
    get db() {
      return get().db;
    },
    get url() {
      return get().url;
    },
  };
}
