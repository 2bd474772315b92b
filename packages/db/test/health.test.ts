import { describe, expect, it } from "vitest";
import { createDatabase } from "../src/client.ts";
import { readHealth } from "../src/health.ts";
import { registerRunner } from "../src/queries/runners.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

describe("health", () => {
  it("reports a migrated database, its queue and the runners seen", async () => {
    await registerRunner(test.db, {
      name: "r1",
      host: "h1",
      pid: 1,
      backend: "wasm",
      device: "CPU",
      cores: 2,
      capacity: 2,
    });
    const health = await readHealth(test.db, test.url);
    expect(health).toMatchObject({
      status: "ok",
      database: "ok",
      migrations: { current: true },
      queue: { reachable: true },
      runners: [{ name: "r1", host: "h1", alive: true, status: "online" }],
    });
  });

  it("says which server refused the connection when the database is down", async () => {
    const url = "postgres://attune:pw@127.0.0.1:1/attune";
    const down = createDatabase(url);
    const health = await readHealth(down, url);
    await down.$client.end();
    expect(health).toMatchObject({ status: "degraded", database: "unreachable", runners: [] });
    expect(health.error).toMatch(
      /Cannot reach PostgreSQL at 127\.0\.0\.1:1\/attune: connection refused/,
    );
  });
});
