import { describe, expect, it, vi } from "vitest";
import { createCurveLoader, type FetchCurves } from "./curve-loader.ts";

describe("createCurveLoader", () => {
  it("gathers one tick's requests into calls of at most batchSize trials per key", async () => {
    const fetchCurves = vi.fn<FetchCurves>(async (key, trialIds) =>
      trialIds.map((trialId) => ({ trialId, key, points: [{ step: 1, value: trialId.length }] })),
    );
    const loader = createCurveLoader(fetchCurves, 2);
    const ids = ["a", "bb", "ccc", "dddd", "eeeee"];
    const results = await Promise.all([
      ...ids.map((id) => loader.load("val_loss", id)),
      loader.load("val_loss", "a"),
      loader.load("lr", "a"),
    ]);
    expect(results.map((points) => points[0]?.value)).toEqual([1, 2, 3, 4, 5, 1, 1]);
    expect(fetchCurves.mock.calls).toEqual([
      ["val_loss", ["a", "bb"]],
      ["val_loss", ["ccc", "dddd"]],
      ["val_loss", ["eeeee"]],
      ["lr", ["a"]],
    ]);
    await loader.load("val_loss", "a");
    expect(fetchCurves).toHaveBeenCalledTimes(5);
  });

  it("answers an empty curve for a trial without points, and passes errors to its batch", async () => {
    const loader = createCurveLoader(async (_key, trialIds) =>
      trialIds.includes("bad") ? Promise.reject(new Error("boom")) : [],
    );
    expect(await loader.load("val_loss", "quiet")).toEqual([]);
    await expect(loader.load("val_loss", "bad")).rejects.toThrow("boom");
  });
});
