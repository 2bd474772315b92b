import { describe, expect, it } from "vitest";
import { Random } from "../../../src/random.ts";
import { lrRangeTest, narrowLrBounds } from "../../../src/tuning/strategies/lr-range-test.ts";

/**
 * A synthetic loss against x = log10(LR): a sigmoid that falls fastest at x = -4 (LR 1e-4), and a
 * blow-up past x = -1.5. Its minimum is just past 10^-1.5, and it exceeds 4 times that minimum
 * (≈ 1) once 20(x + 1.5)² > 3, at x ≈ -1.11.
 */
function syntheticLoss(lr: number): number {
  const x = Math.log10(lr);
  return 1 + 2 / (1 + Math.exp(3 * (x + 4))) + 20 * Math.max(0, x + 1.5) ** 2;
}

const options = { minLr: 1e-7, maxLr: 10, steps: 401 };
/** LRs one grid step apart differ by this factor (8 decades over 400 steps). */
const gridStep = 10 ** (8 / 400);

describe("lrRangeTest", () => {
  it("finds the steepest descent and the minimum of a noise-free curve, and stops at the blow-up", async () => {
    const result = await lrRangeTest(async (lr) => syntheticLoss(lr), { ...options, smoothing: 0 });
    expect(result.steepestLr).toBeGreaterThan(1e-4 / gridStep);
    expect(result.steepestLr).toBeLessThan(1e-4 * gridStep);
    expect(result.minLossLr / 10 ** -1.5).toBeGreaterThan(1 / gridStep);
    expect(result.minLossLr / 10 ** -1.5).toBeLessThan(gridStep);
    expect(result.minLossLrOverTen).toBeCloseTo(result.minLossLr / 10, 12);
    expect(result.suggestedLr).toBe(result.steepestLr);
    expect(result.diverged).toBe(true);
    const last = result.curve.at(-1)?.lr ?? 0;
    expect(Math.log10(last)).toBeCloseTo(-1.11, 1);
    expect(result.curve[0]).toEqual({
      lr: 1e-7,
      loss: syntheticLoss(1e-7),
      smoothedLoss: syntheticLoss(1e-7),
    });
  });

  it("stays close with noise and smoothing, the bias-corrected average starting at the first loss", async () => {
    const random = new Random(3);
    const result = await lrRangeTest(async (lr) => syntheticLoss(lr) + random.normal(0, 0.02), {
      ...options,
      smoothing: 0.9,
    });
    const first = result.curve[0];
    expect(first?.smoothedLoss).toBeCloseTo(first?.loss ?? Number.NaN, 12);
    // The moving average lags by about 9 steps (0.18 decades), so the estimate sits a little late:
    // over 20 seeds it fell between 1.05e-4 and 2.2e-4.
    expect(result.steepestLr).toBeGreaterThan(0.9e-4);
    expect(result.steepestLr).toBeLessThan(2.5e-4);
    expect(result.diverged).toBe(true);
  });

  it("falls back to the minimum-loss LR / 10 on a curve too short to differentiate", async () => {
    const result = await lrRangeTest(async (lr) => syntheticLoss(lr), {
      minLr: 1e-6,
      maxLr: 1e-2,
      steps: 5,
    });
    expect(result.steepestLr).toBeUndefined();
    expect(result.minLossLr).toBeCloseTo(1e-2, 12);
    expect(result.suggestedLr).toBeCloseTo(1e-3, 12);
    expect(result.diverged).toBe(false);
  });

  it("rejects bad ranges", async () => {
    await expect(lrRangeTest(async () => 1, { minLr: 1, maxLr: 0.1, steps: 10 })).rejects.toThrow(
      /minLr < maxLr/,
    );
  });

  it("narrows a study's LR bounds around the suggestion", () => {
    const result = {
      curve: [],
      diverged: true,
      minLossLr: 3e-2,
      steepestLr: 1e-4,
      minLossLrOverTen: 3e-3,
      suggestedLr: 1e-4,
    };
    const narrowed = narrowLrBounds(result);
    expect(narrowed.low).toBeCloseTo(1e-5, 15);
    expect(narrowed.high).toBeCloseTo(3e-4, 15);
    expect(narrowLrBounds(result, { low: 1e-6, high: 1e-4 })).toEqual({
      low: narrowed.low,
      high: 1e-4,
    });
    // Bounds that miss the suggestion entirely are replaced.
    expect(narrowLrBounds(result, { low: 1, high: 2 })).toEqual(narrowed);
  });
});
