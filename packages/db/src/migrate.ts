import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { Executor } from "./client.ts";
import { installQueue } from "./queue.ts";

// Not `new URL("../drizzle", import.meta.url)`: bundlers take that form for an asset to copy.
export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "..", "drizzle");

// Any constant works; it only has to be the same for every process that migrates.
const MIGRATION_LOCK = 7_411_002;

/**
 * Applies the committed migrations and installs the job queue's schema. Safe to run from several
 * processes at once: an advisory lock makes them take turns, and applied migrations are skipped.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: "attune-migrate" });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder });
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  } finally {
    await client.end();
  }
  await installQueue(url);
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export interface MigrationStatus {
  applied: number;
  expected: number;
  current: boolean;
}

/** Whether the database has every migration this code was built with. */
export async function readMigrationStatus(db: Executor): Promise<MigrationStatus> {
  const journal = JSON.parse(
    readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8"),
  ) as Journal;
  const expected = journal.entries.length;
  const latest = journal.entries.at(-1)?.when ?? 0;
  const table = await db.execute<{ exists: boolean }>(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`,
  );
  if (!table.rows[0]?.exists) return { applied: 0, expected, current: expected === 0 };
  const result = await db.execute<{ applied: number; newest: string | null }>(
    sql`select count(*)::int as applied, max(created_at)::text as newest from drizzle.__drizzle_migrations`,
  );
  const row = result.rows[0] ?? { applied: 0, newest: null };
  return { applied: row.applied, expected, current: Number(row.newest ?? 0) >= latest };
}
