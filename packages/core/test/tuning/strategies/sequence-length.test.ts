import { describe, expect, it } from "vitest";
import {
  sequenceLengthFromData,
  sequenceLengthPresets,
  sequenceLengthWarmup,
} from "../../../src/tuning/strategies/sequence-length.ts";

describe("sequenceLengthFromData", () => {
  // One sample of each length 1..100: 5050 tokens.
  const lengths = Array.from({ length: 100 }, (_, i) => i + 1);

  it("takes the percentile, rounds it up and reports what it costs (worked by hand)", () => {
    const result = sequenceLengthFromData(lengths, { percentile: 95 });
    // Nearest rank: the 95th of 100 sorted samples is 95, rounded up to 96.
    expect(result.percentileLength).toBe(95);
    expect(result.length).toBe(96);
    // Samples 97-100 are cut, losing 1+2+3+4 tokens; the 100·96 slots hold 4656 + 4·96 = 5040 tokens.
    expect(result.truncationRate).toBeCloseTo(0.04, 12);
    expect(result.truncatedTokens).toBeCloseTo(10 / 5050, 12);
    expect(result.paddingWaste).toBeCloseTo(1 - 5040 / 9600, 12);
    expect(sequenceLengthFromData(lengths, { rounding: "power-of-two" }).length).toBe(128);
  });

  it("tabulates the costs at candidate lengths", () => {
    const { table } = sequenceLengthFromData(lengths);
    expect(table.map((row) => row.length)).toEqual([32, 64, 128]);
    // At 32: 68 samples cut; the slots hold 528 + 68·32 = 2704 of 3200.
    expect(table[0]?.truncationRate).toBeCloseTo(0.68, 12);
    expect(table[0]?.paddingWaste).toBeCloseTo(1 - 2704 / 3200, 12);
    expect(table[2]).toEqual({
      length: 128,
      truncationRate: 0,
      truncatedTokens: 0,
      paddingWaste: 1 - 5050 / 12800,
    });
    const custom = sequenceLengthFromData(lengths, { candidates: [100, 50] }).table;
    expect(custom.map((row) => row.length)).toEqual([50, 100]);
  });

  it("rejects empty data and a bad percentile", () => {
    expect(() => sequenceLengthFromData([])).toThrow(/at least one/);
    expect(() => sequenceLengthFromData(lengths, { percentile: 0 })).toThrow(/percentile/);
  });
});

describe("sequenceLengthPresets", () => {
  it("gives a length and a reason for every task", () => {
    for (const task of ["dialogue", "summarisation", "classification", "generation"] as const) {
      expect(sequenceLengthPresets[task].length % 8).toBe(0);
      expect(sequenceLengthPresets[task].reason.length).toBeGreaterThan(10);
    }
    expect(sequenceLengthPresets.classification.length).toBeLessThan(
      sequenceLengthPresets.summarisation.length,
    );
  });
});

describe("sequenceLengthWarmup", () => {
  const options = { startLength: 64, fullLength: 512, warmupSteps: 100 } as const;

  it("ramps linearly, rounded down to a multiple of 8 (worked by hand)", () => {
    const length = sequenceLengthWarmup({ ...options, shape: "linear" });
    // 64 + 448·step/100: 211.84 → 208, 288, 507.52 → 504.
    expect([0, 33, 50, 99, 100, 1000].map(length)).toEqual([64, 208, 288, 504, 512, 512]);
  });

  it("climbs in equal stages under the ramp", () => {
    const length = sequenceLengthWarmup({ ...options, shape: "stepwise", stages: 4 });
    expect([0, 24, 25, 49, 50, 75, 99, 100].map(length)).toEqual([
      64, 64, 176, 176, 288, 400, 400, 512,
    ]);
  });

  it("never falls below the multiple and rejects a bad schedule", () => {
    const length = sequenceLengthWarmup({
      startLength: 5,
      fullLength: 100,
      warmupSteps: 10,
      shape: "linear",
      multiple: 16,
    });
    expect(length(0)).toBe(16);
    expect(() => sequenceLengthWarmup({ ...options, startLength: 1024, shape: "linear" })).toThrow(
      /startLength <= fullLength/,
    );
  });
});
