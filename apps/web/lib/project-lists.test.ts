import { describe, expect, it } from "vitest";
import {
  batchSizeCost,
  bestValuesText,
  strategyKindLabel,
  strategyResultSummary,
  strategyRunModel,
} from "./project-lists.ts";

const spec = {
  objectives: [
    { metric: "val_loss", direction: "minimize" as const },
    { metric: "tokens_per_second", direction: "maximize" as const },
  ],
};

describe("bestValuesText", () => {
  it("names each objective's best value", () => {
    expect(bestValuesText(spec, [1.23456, 912])).toBe("val_loss 1.235 · tokens_per_second 912");
    expect(bestValuesText({ objectives: [] }, [0.5])).toBe("0.5");
    expect(bestValuesText(spec, null)).toBe("–");
  });
});

describe("strategyResultSummary", () => {
  const run = { status: "completed", error: null };

  it("gives an LR range test's suggestion", () => {
    expect(
      strategyResultSummary({
        ...run,
        kind: "lr-range-test",
        result: { suggestedLr: 0.003, minLossLr: 0.03, diverged: true },
      }),
    ).toBe("suggested LR 0.003, lowest loss at 0.03, diverged before the maximum LR");
  });

  it("gives a batch-size strategy's recommendation", () => {
    expect(
      strategyResultSummary({ ...run, kind: "batch-size-sweep", result: { recommended: 32 } }),
    ).toBe("recommended batch size 32");
    expect(
      strategyResultSummary({
        ...run,
        kind: "gradient-noise-scale",
        result: { recommended: 64, simpleNoiseScale: 57.3 },
      }),
    ).toBe("recommended batch size 64 (noise scale 57.3)");
  });

  it("says why a run failed, and nothing before a result", () => {
    expect(
      strategyResultSummary({
        kind: "lr-range-test",
        status: "failed",
        error: "NaN",
        result: null,
      }),
    ).toBe("Failed: NaN");
    expect(
      strategyResultSummary({
        kind: "lr-range-test",
        status: "running",
        error: null,
        result: null,
      }),
    ).toBe("–");
  });
});

describe("strategyKindLabel", () => {
  it("names the kinds, and passes an unknown one through", () => {
    expect(strategyKindLabel("lr-range-test")).toBe("LR range test");
    expect(strategyKindLabel("new-kind")).toBe("new-kind");
  });
});

describe("strategyRunModel", () => {
  it("names the model a run starts from, none for random weights", () => {
    expect(strategyRunModel({ settings: { model: "gpt2", trial: {} } })).toBe("gpt2");
    expect(strategyRunModel({ settings: { trial: {} } })).toBeUndefined();
  });
});

describe("batchSizeCost", () => {
  // The reference GPT (cost-advice.test.ts) at 1,000 tokens/s: 1.024 s per step of batch 16.
  const pricing = { vocabSize: 65, flopsPerSecond: 2_627_328 * 1000 };

  it("prices the recommended batch size against the one the run trained with", () => {
    const run = { kind: "batch-size-sweep", result: { recommended: 64 } };
    expect(batchSizeCost({ ...run, settings: { trial: { batch_size: 32 } } }, pricing)?.text).toBe(
      "≈ 2× the compute per step of batch_size 32; about 4.1 s per step on your runners",
    );
    expect(batchSizeCost({ ...run, settings: {} }, pricing)?.text).toBe(
      "≈ 4× the compute per step of batch_size 16; about 4.1 s per step on your runners",
    );
  });

  it("has nothing to price for an LR range test or before a result", () => {
    const settings = {};
    expect(
      batchSizeCost({ kind: "lr-range-test", result: { suggestedLr: 0.01 }, settings }, pricing),
    ).toBe(undefined);
    expect(batchSizeCost({ kind: "batch-size-sweep", result: null, settings }, pricing)).toBe(
      undefined,
    );
  });
});
