// Anonymous health says up or down and nothing else; the detail behind it needs a signed-in caller.
import { createDatabase, readHealth, registerRunner } from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { healthResponse } from "../src/health.ts";
import { type SignedUpUser, uniqueName, useApi } from "./harness.ts";

const api = useApi();
let user: SignedUpUser;
const runner = { name: uniqueName("runner"), host: uniqueName("gpu-box") };
let runnerId: string;

beforeAll(async () => {
  user = await api.signUp();
  ({ id: runnerId } = await registerRunner(api.db, {
    ...runner,
    pid: 4242,
    backend: "wasm",
    device: "CPU",
    cores: 2,
    capacity: 2,
  }));
});

describe("GET /api/health", () => {
  it("answers 200 with only the status fields: no runner, host or id", async () => {
    const response = await healthResponse(() => readHealth(api.db));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const text = await response.text();
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(["checkedAt", "database", "status"]);
    expect(JSON.parse(text)).toMatchObject({ status: "ok", database: "ok" });
    for (const secret of [runner.name, runner.host, runnerId]) expect(text).not.toContain(secret);
  });

  it("answers 503 when the database is down, without saying where it is", async () => {
    const url = "postgres://attune:pw@127.0.0.1:1/attune";
    const down = createDatabase(url);
    const response = await healthResponse(() => readHealth(down, url));
    await down.$client.end();
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(["checkedAt", "database", "status"]);
    expect(JSON.parse(text)).toMatchObject({ status: "degraded", database: "unreachable" });
    expect(text).not.toContain("127.0.0.1");
  });
});

describe("health.detail", () => {
  it("refuses anonymous callers", async () => {
    await expect(api.anonymous().health.detail()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("gives a signed-in user the migrations, the queue and the runners", async () => {
    const detail = await api.as(user).health.detail();
    expect(detail).toMatchObject({
      status: "ok",
      database: "ok",
      migrations: { current: true },
      queue: { reachable: true },
    });
    expect(detail.runners).toContainEqual(expect.objectContaining({ id: runnerId, ...runner }));
  });
});
