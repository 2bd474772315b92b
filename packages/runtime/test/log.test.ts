import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "../src/log.ts";

describe("log", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  function capture() {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const lines = (spy: typeof stdout) =>
      spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    return { stdout: () => lines(stdout), stderr: () => lines(stderr) };
  }

  it("writes one JSON object a line: info to stdout, warnings and errors to stderr", () => {
    vi.stubEnv("ATTUNE_LOG_LEVEL", "");
    const out = capture();
    log.info("started", { port: 3000 });
    log.warn("slow", { ms: 12 });
    log.error("failed");
    expect(out.stdout()).toEqual([
      { time: expect.any(String), level: "info", event: "started", port: 3000 },
    ]);
    expect(out.stderr()).toEqual([
      { time: expect.any(String), level: "warn", event: "slow", ms: 12 },
      { time: expect.any(String), level: "error", event: "failed" },
    ]);
  });

  it("drops levels below ATTUNE_LOG_LEVEL, which defaults to info", () => {
    const out = capture();
    vi.stubEnv("ATTUNE_LOG_LEVEL", undefined);
    log.debug("hidden");
    vi.stubEnv("ATTUNE_LOG_LEVEL", "debug");
    log.debug("shown");
    vi.stubEnv("ATTUNE_LOG_LEVEL", "warn");
    log.info("hidden");
    expect(out.stdout().map((line) => line.event)).toEqual(["shown"]);
  });
});
