import { describe, expect, it } from "vitest";
import { Random } from "../../../src/random.ts";
import {
  crossValidateBatchSizes,
  gradientNoiseScale,
  measureGradientNoiseScale,
  sweepBatchSizes,
} from "../../../src/tuning/strategies/batch-size.ts";

describe("crossValidateBatchSizes", () => {
  // Every batch size sees the same fold offsets, so each has std √(0.001/3) ≈ 0.0183 and a
  // standard error of half that, ≈ 0.0091.
  const baseLoss: Record<number, number> = { 8: 1.0, 16: 0.98, 32: 0.985, 64: 1.2 };
  const foldOffset = [0.02, -0.02, 0.01, -0.01];
  const options = {
    batchSizes: [8, 16, 32, 64],
    folds: 4,
    tokenBudget: 65_536,
    sequenceLength: 128,
  };

  it("spends the same tokens per batch size and picks the largest within one standard error", async () => {
    const runs: string[] = [];
    const result = await crossValidateBatchSizes(async ({ batchSize, fold, steps }) => {
      runs.push(`${batchSize}x${steps}`);
      return (baseLoss[batchSize] ?? Number.NaN) + (foldOffset[fold] ?? Number.NaN);
    }, options);
    expect(new Set(runs)).toEqual(new Set(["8x64", "16x32", "32x16", "64x8"]));
    expect(runs).toHaveLength(16);
    const best = result.candidates.find((candidate) => candidate.batchSize === 16);
    expect(best?.mean).toBeCloseTo(0.98, 12);
    expect(best?.std).toBeCloseTo(Math.sqrt(0.001 / 3), 12);
    expect(best?.standardError).toBeCloseTo(Math.sqrt(0.001 / 3) / 2, 12);
    // 32 (0.985) is within 0.98 + 0.0091 of the best; 64 (1.2) is not.
    expect(result.recommended).toBe(32);
  });

  it("refuses a budget smaller than one step", async () => {
    await expect(
      crossValidateBatchSizes(async () => 1, { ...options, tokenBudget: 100 }),
    ).rejects.toThrow(/less than one step of batch size 8/);
  });
});

describe("sweepBatchSizes", () => {
  // The loss is lowest at LR 2e-3 and grows with the square of log2 of the distance from it.
  const loss = async ({ lr }: { lr: number }) => 2 + 0.1 * Math.log2(lr / 2e-3) ** 2;
  const options = { batchSizes: [8, 32, 128, 512], baseBatchSize: 32, baseLr: 1e-3 };

  it("scales the LR by the square-root rule and recommends the best batch size", async () => {
    const result = await sweepBatchSizes(loss, { ...options, scaling: "sqrt" });
    expect(result.curve.map((point) => point.lr)).toEqual([5e-4, 1e-3, 2e-3, 4e-3]);
    // Losses 2.4, 2.1, 2.0, 2.1.
    expect(result.curve.map((point) => point.loss)).toEqual(
      [2.4, 2.1, 2, 2.1].map((v) => expect.closeTo(v, 12)),
    );
    expect(result.recommended).toBe(128);
    // A 6% tolerance makes 512 (2.1) a tie, settled toward the larger batch.
    expect(
      (await sweepBatchSizes(loss, { ...options, scaling: "sqrt", tolerance: 0.06 })).recommended,
    ).toBe(512);
  });

  it("scales the LR linearly", async () => {
    const result = await sweepBatchSizes(loss, { ...options, scaling: "linear" });
    expect(result.curve.map((point) => point.lr)).toEqual([2.5e-4, 1e-3, 4e-3, 1.6e-2]);
    // LR 1e-3 and 4e-3 are both one doubling from 2e-3: a tie, settled toward 128.
    expect(result.recommended).toBe(128);
  });
});

describe("gradient noise scale", () => {
  // 100 parameters, true gradient 0.1 each (|G|² = 1), per-example noise std 0.8 each
  // (tr Σ = 64), so B_simple = 64. A batch's mean gradient has noise std 0.8/√B per coordinate.
  function simulatedSquaredNorm(random: Random) {
    return async (batchSize: number) => {
      let sum = 0;
      for (let i = 0; i < 100; i++)
        sum += (0.1 + random.normal(0, 0.8 / Math.sqrt(batchSize))) ** 2;
      return sum;
    };
  }

  it("recovers B_simple from small- and big-batch gradient norms", async () => {
    const result = await measureGradientNoiseScale(simulatedSquaredNorm(new Random(11)), {
      smallBatch: 8,
      bigBatch: 256,
      count: 400,
    });
    expect(result.squaredGradientNorm).toBeGreaterThan(0.9);
    expect(result.squaredGradientNorm).toBeLessThan(1.1);
    expect(result.traceCovariance).toBeGreaterThan(60);
    expect(result.traceCovariance).toBeLessThan(68);
    expect(result.simpleNoiseScale).toBeGreaterThan(56);
    expect(result.simpleNoiseScale).toBeLessThan(72);
    expect(result.recommended).toBe(64);
    expect(result.measurements).toHaveLength(400);
  });

  it("computes the unbiased estimates exactly (worked by hand)", () => {
    // |G_8|² = 1 + 64/8 = 9 and |G_64|² = 1 + 64/64 = 2: |G|² = (64·2 - 8·9)/56 = 1 and
    // tr Σ = (9 - 2)/(1/8 - 1/64) = 64.
    const result = gradientNoiseScale([
      { smallBatch: 8, bigBatch: 64, smallSquaredNorm: 9, bigSquaredNorm: 2 },
    ]);
    expect(result.squaredGradientNorm).toBeCloseTo(1, 12);
    expect(result.traceCovariance).toBeCloseTo(64, 12);
    expect(result.simpleNoiseScale).toBeCloseTo(64, 12);
  });

  it("says when the noise dominates", () => {
    expect(() =>
      gradientNoiseScale([{ smallBatch: 8, bigBatch: 64, smallSquaredNorm: 2, bigSquaredNorm: 9 }]),
    ).toThrow(/noise dominates/);
  });
});
