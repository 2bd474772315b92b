import { type ChildProcess, spawn } from "node:child_process";
import { totalmem } from "node:os";
import { join } from "node:path";
import { listRunners } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { readSettings } from "../src/settings.ts";
import { directiveBudgetMs, trainingBudgetMs, until } from "./cluster.ts";

const test = useTestDatabase();
let child: ChildProcess | undefined;

afterAll(async () => {
  child?.kill("SIGKILL");
});

describe("runner process", () => {
  it("registers, heartbeats, and shows as gone within seconds of SIGTERM", async () => {
    child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(import.meta.dirname, "../src/main.ts"),
        "--name",
        "test-runner",
        "--heartbeat-interval",
        "200",
      ],
      { env: { ...process.env, DATABASE_URL: test.url }, stdio: ["ignore", "inherit", "inherit"] },
    );
    const registered = await until(
      async () => (await listRunners(test.db)).find((r) => r.alive),
      trainingBudgetMs,
      "the runner registered",
    );
    expect(registered).toMatchObject({
      name: "test-runner",
      status: "online",
      capacity: expect.any(Number),
    });
    expect(registered.backendReason).not.toBe("");

    const later = await until(
      async () => {
        const [runner] = await listRunners(test.db);
        return runner && runner.lastHeartbeatAt > registered.lastHeartbeatAt ? runner : undefined;
      },
      directiveBudgetMs,
      "a later heartbeat",
    );
    expect(later.id).toBe(registered.id);

    const stoppedAt = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child?.once("exit", resolve));
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(directiveBudgetMs);
    const [gone] = await listRunners(test.db);
    expect(gone).toMatchObject({ id: registered.id, status: "offline", alive: false });
  });
});

describe("runner settings", () => {
  it("defaults concurrency to the number of cores and lets flags override the environment", () => {
    const settings = readSettings(["--concurrency", "3"], {
      ATTUNE_RUNNER_CONCURRENCY: "5",
      ATTUNE_RUNNER_NAME: "r1",
    });
    expect(settings).toMatchObject({ concurrency: 3, name: "r1", backend: "auto" });
  });

  it("keeps a quarter of the machine's memory of model files unless told", () => {
    expect(readSettings([], {}).modelCacheMb).toBe(Math.floor(totalmem() / 4 / 2 ** 20));
    expect(
      readSettings(["--model-cache-mb", "512"], { ATTUNE_MODEL_CACHE_MB: "64" }).modelCacheMb,
    ).toBe(512);
    expect(readSettings([], { ATTUNE_MODEL_CACHE_MB: "0" }).modelCacheMb).toBe(0);
    expect(() => readSettings([], { ATTUNE_MODEL_CACHE_MB: "-1" })).toThrow(/modelCacheMb: /);
  });

  it("rejects bad values with the setting named", () => {
    expect(() => readSettings(["--concurrency", "0"], {})).toThrow(/concurrency: /);
    expect(() => readSettings(["--backend", "tpu"], {})).toThrow(/backend: /);
    expect(() => readSettings(["--bogus"], {})).toThrow(/bogus/);
  });
});
