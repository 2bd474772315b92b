import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import {
  MIN_MEASUREMENTS,
  NoiseScaleBatch,
  type NoiseScaleBatchOptions,
} from "../../src/train/batch-schedule.ts";
import { learningRateAt, type Schedule } from "../../src/train/schedules.ts";

const options: NoiseScaleBatchOptions = {
  microbatchSize: 4,
  baseMicrobatches: 2,
  maxMicrobatches: 32,
  lrScaling: "sqrt",
  tokensPerBaseStep: 128,
};

/**
 * Squared norms of a mean gradient over `sequences` samples of a known noise model, as McCandlish
 * et al. (2018) define it: E|G_B|² = |G|² + tr(Σ)/B. 100 parameters, true gradient 0.1 each
 * (|G|² = 1), per-sequence noise std `noise` each (tr Σ = 100 noise²), so B_noise = 100 noise².
 */
function squaredNorm(random: Random, sequences: number, noise: number): number {
  let sum = 0;
  for (let i = 0; i < 100; i++) sum += (0.1 + random.normal(0, noise / Math.sqrt(sequences))) ** 2;
  return sum;
}

/** Feeds `count` measurements as a trainer would: one microbatch against the step's k. */
function measure(batch: NoiseScaleBatch, random: Random, count: number, noise: number) {
  const batches: number[] = [];
  for (let i = 0; i < count; i++) {
    const k = batch.microbatches;
    const { microbatchSize } = batch.options;
    batch.observe(
      k,
      squaredNorm(random, microbatchSize, noise),
      squaredNorm(random, k * microbatchSize, noise),
    );
    batches.push(batch.batchSize);
  }
  return batches;
}

describe("NoiseScaleBatch", () => {
  it("estimates a known noise scale and grows the batch to it, in whole microbatches", () => {
    // tr Σ = 100 × 0.8² = 64 per sequence: B_noise = 64 sequences = 16 microbatches of 4.
    const batch = new NoiseScaleBatch(options);
    expect(batch.batchSize).toBe(8);
    const batches = measure(batch, new Random(5), 600, 0.8);
    expect(batch.noiseScale).toBeGreaterThan(64 * 0.8);
    expect(batch.noiseScale).toBeLessThan(64 * 1.25);
    // Not before the averages have MIN_MEASUREMENTS measurements.
    expect(batches.slice(0, MIN_MEASUREMENTS - 1).every((size) => size === 8)).toBe(true);
    expect(batches.at(-1)).toBeGreaterThanOrEqual(48);
    expect(batches.at(-1)).toBeLessThanOrEqual(80);
    expect((batches.at(-1) ?? 1) % 4).toBe(0);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]).toBeGreaterThanOrEqual(batches[i - 1] as number);
    }
  });

  it("grows as the noise scale does, never shrinks, and stops at the maximum", () => {
    const batch = new NoiseScaleBatch({ ...options, maxMicrobatches: 10 });
    const random = new Random(6);
    // B_noise = 9 sequences (2 microbatches), then 36 (9), then 144: above the maximum of 40.
    const small = measure(batch, random, 300, 0.3);
    const middle = measure(batch, random, 300, 0.6);
    const large = measure(batch, random, 300, 1.2);
    // The noise-scale batch starts at two microbatches, and 9 sequences leave it there.
    expect(new Set(small)).toEqual(new Set([8]));
    expect(middle.at(-1)).toBeGreaterThanOrEqual(28);
    expect(middle.at(-1)).toBeLessThanOrEqual(40);
    expect(large.at(-1)).toBe(40);
    const all = [...small, ...middle, ...large];
    expect(Math.max(...all)).toBe(40);
    for (let i = 1; i < all.length; i++) {
      expect(all[i]).toBeGreaterThanOrEqual(all[i - 1] as number);
    }

    // Back to a small noise scale: the batch stays.
    measure(batch, random, 300, 0.3);
    expect(batch.batchSize).toBe(40);
    expect(batch.noiseScale).toBeLessThan(20);
  });

  it("has no estimate while the noise swamps |G|², and does not grow on it", () => {
    const batch = new NoiseScaleBatch(options);
    // The big batch's norm above the small one's: |G|² comes out positive, tr(Σ) negative.
    for (let i = 0; i < 100; i++) batch.observe(2, 1, 2);
    expect(batch.noiseScale).toBeUndefined();
    expect(batch.batchSize).toBe(8);
  });

  it("scales the schedule's rate from the base batch by the rule, at the tokens seen", () => {
    const schedule: Schedule = { kind: "cosine", decaySteps: 100, minLr: 0, warmupSteps: 10 };
    const grown = (lrScaling: NoiseScaleBatchOptions["lrScaling"]) => {
      const batch = new NoiseScaleBatch({ ...options, baseMicrobatches: 1, lrScaling });
      // Starts at 2 microbatches (the base is 1), grows to 8 on B_noise = 36 sequences.
      measure(batch, new Random(7), 400, 0.6);
      return batch;
    };
    const at = (batch: NoiseScaleBatch, tokens: number) =>
      batch.learningRate(schedule, 1e-3, tokens);
    // 1000 tokens are step 7 of the base batch's 128 tokens, in the warmup.
    const sqrt = grown("sqrt");
    const growth = sqrt.microbatches;
    expect(growth).toBeGreaterThanOrEqual(6);
    expect(at(sqrt, 1000)).toBeCloseTo(learningRateAt(schedule, 1e-3, 7) * Math.sqrt(growth), 15);
    expect(at(grown("linear"), 5000)).toBeCloseTo(learningRateAt(schedule, 1e-3, 39) * growth, 15);
    expect(at(grown("none"), 5000)).toBe(learningRateAt(schedule, 1e-3, 39));

    // At the base batch the rate is the schedule's at the step, exactly.
    const base = new NoiseScaleBatch(options);
    for (const step of [0, 5, 10, 60, 200]) {
      expect(at(base, step * 128)).toBe(learningRateAt(schedule, 1e-3, step));
    }
  });

  it("restores a saved state, kept within its start and maximum", () => {
    const batch = new NoiseScaleBatch(options);
    measure(batch, new Random(8), 200, 0.8);
    const restored = new NoiseScaleBatch(options);
    restored.setState(JSON.parse(JSON.stringify(batch.getState())));
    expect(restored.getState()).toEqual(batch.getState());
    expect(restored.noiseScale).toBe(batch.noiseScale);

    const smaller = new NoiseScaleBatch({ ...options, maxMicrobatches: 4 });
    smaller.setState(batch.getState());
    expect(smaller.microbatches).toBe(4);
    const larger = new NoiseScaleBatch({ ...options, baseMicrobatches: 20 });
    larger.setState(batch.getState());
    expect(larger.microbatches).toBe(20);
  });

  it("rejects bounds it cannot keep, with the values", () => {
    expect(() => new NoiseScaleBatch({ ...options, maxMicrobatches: 1 })).toThrow(
      /maxMicrobatches must be a whole number of at least 2, where it starts, got 1/,
    );
    expect(() => new NoiseScaleBatch({ ...options, microbatchSize: 0 })).toThrow(
      /microbatchSize must be a positive whole number, got 0/,
    );
  });
});
