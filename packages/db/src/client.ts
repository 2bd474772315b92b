import { log } from "@attune/runtime/log";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema/index.ts";

export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Query functions take either the database or a transaction, so callers can compose them. */
export type Executor = Database | Transaction;

export interface DatabaseOptions {
  /** Most connections this process opens. */
  maxConnections?: number;
  /** Shown in pg_stat_activity, to tell processes apart. */
  applicationName?: string;
}

export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? "attune",
  });
  // A connection dropped by the server must not crash the process: the query using it fails, and
  // the next one reconnects. Idle clients report on the pool, checked-out ones on themselves.
  pool.on("error", (error) => log.warn("db.pool.error", { message: error.message }));
  pool.on("connect", (client) =>
    client.on("error", (error) => log.warn("db.connection.error", { message: error.message })),
  );
  return drizzle({ client: pool, schema, casing: "snake_case" });
}

let shared: Database | undefined;

/**
 * The process's database, created on first use from DATABASE_URL. Lazy, so that importing this
 * module (for example while Next.js collects pages at build time) never opens a connection.
 */
export function getDatabase(): Database {
  if (!shared) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set: start through `npm start` (embedded PostgreSQL) or set it to a PostgreSQL URL",
      );
    }
    shared = createDatabase(url);
  }
  return shared;
}
