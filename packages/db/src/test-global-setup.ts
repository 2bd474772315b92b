// vitest globalSetup: the server that test databases are created on. DATABASE_URL when the caller
// gave one (npm test does), else the project's embedded PostgreSQL.
import { type DatabaseHandle, ensureDatabase } from "./embedded.ts";
import { embeddedDataFolder } from "./paths.ts";

let handle: DatabaseHandle | undefined;

export async function setup() {
  handle = await ensureDatabase(embeddedDataFolder());
  process.env.DATABASE_URL = handle.url;
}

export async function teardown() {
  await handle?.stop();
}
