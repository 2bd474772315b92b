import { describe, expect, it } from "vitest";
import { trialCost } from "../../src/trial/cost.ts";

// The reference GPT by the settings' defaults: seq_len 64, 2 layers, d_model 128, 4 heads, MLP 4×,
// tied embeddings, learned positions; a character vocabulary of 65.
// Weights used in matrix products: per block, query, key, value and output 4·(128·128 + 128) =
// 66,048 and the MLP 128·512 + 512 + 512·128 + 128 = 131,712, and 2 LayerNorms 512: 198,272; two
// blocks 396,544, the token table 65·128 = 8,320 (tied: also the output projection) and the final
// norm 256: 405,120. FLOPs per token: 6 · 405,120 + 12 · 2 · 64 · 128 = 2,627,328.
const REFERENCE_FLOPS_PER_TOKEN = 2_627_328;

describe("trialCost", () => {
  it("prices the default settings from the model's FLOPs per token", () => {
    const cost = trialCost({ settings: {}, vocabSize: 65, budget: { steps: 200 } });
    expect(cost).toEqual({
      flopsPerToken: REFERENCE_FLOPS_PER_TOKEN,
      tokensPerStep: 16 * 64,
      flopsPerStep: REFERENCE_FLOPS_PER_TOKEN * 1024,
      steps: 200,
      flopsPerTrial: REFERENCE_FLOPS_PER_TOKEN * 1024 * 200,
    });
  });

  it("gives seconds from a measured throughput", () => {
    // A runner that trains the reference model at 1,000 tokens/s.
    const cost = trialCost({
      settings: { batch_size: 16 },
      vocabSize: 65,
      budget: { steps: 200 },
      flopsPerSecond: REFERENCE_FLOPS_PER_TOKEN * 1000,
    });
    expect(cost?.secondsPerStep).toBeCloseTo(1.024, 12);
    expect(cost?.secondsPerTrial).toBeCloseTo(204.8, 9);
  });

  it("grows with the sequence length in tokens per step and in attention", () => {
    const short = trialCost({ settings: { seq_len: 64 }, vocabSize: 65, budget: { steps: 200 } });
    const long = trialCost({ settings: { seq_len: 1024 }, vocabSize: 65, budget: { steps: 200 } });
    // The position table is only looked up; attention is 12 · 2 · 1024 · 128 = 3,145,728.
    expect(long?.flopsPerToken).toBe(6 * 405_120 + 3_145_728);
    expect(long?.tokensPerStep).toBe(16 * 1024);
    // 16 times the tokens, each 5,576,448 / 2,627,328 ≈ 2.12 times the FLOPs: ≈ 34×.
    expect((long?.flopsPerStep ?? 0) / (short?.flopsPerStep ?? 1)).toBeCloseTo(33.96, 2);
  });

  it("counts steps from a token budget as a trial does, accumulation included", () => {
    const cost = trialCost({
      settings: { batch_size: 8, accumulation_steps: 2 },
      vocabSize: 65,
      budget: { tokens: 1_000_000 },
    });
    expect(cost?.tokensPerStep).toBe(1024);
    expect(cost?.steps).toBe(977);
  });

  it("is undefined for settings that make no model", () => {
    expect(trialCost({ settings: { heads: 3 }, vocabSize: 65, budget: { steps: 10 } })).toBe(
      undefined,
    );
    expect(trialCost({ settings: { seq_len: 0 }, vocabSize: 65, budget: { steps: 10 } })).toBe(
      undefined,
    );
  });

  it("ignores a throughput that is not positive", () => {
    const cost = trialCost({
      settings: {},
      vocabSize: 65,
      budget: { steps: 1 },
      flopsPerSecond: 0,
    });
    expect(cost?.secondsPerStep).toBe(undefined);
  });
});
