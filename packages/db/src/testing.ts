// Test support: each test file gets a fresh, migrated database on the test server.
import { afterAll, beforeAll } from "vitest";
import { createScratchDatabase, type ScratchDatabase } from "./scratch.ts";

export type TestDatabase = ScratchDatabase;

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set in the test process: run tests through `npm test`, or add @attune/db/test-global-setup to vitest's globalSetup",
    );
  }
  return url;
}

export function createTestDatabase(): Promise<TestDatabase> {
  return createScratchDatabase(serverUrl(), "attune_test");
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
