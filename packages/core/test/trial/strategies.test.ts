import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { splitSamplesFold, splitTokenStreamFold } from "../../src/data/batches.ts";
import { loadCorpus } from "../../src/data/corpora.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import {
  runBatchSizeCrossValidation,
  runBatchSizeSweep,
  runGradientNoiseScale,
  runLrRangeTest,
  runStrategy,
  type StrategyInput,
  StrategyStoppedError,
} from "../../src/trial/strategies.ts";
import { parseStrategyRequest } from "../../src/trial/strategy-request.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

/** A model small enough that a strategy of a few dozen steps takes a fraction of a second. */
const tiny = { layers: 1, d_model: 16, heads: 2, seq_len: 16, batch_size: 4, lr: 1e-2 };

let input: StrategyInput;
beforeAll(async () => {
  const mobyDick = await loadCorpus("moby-dick");
  const text: TextDataset = {
    format: "text",
    samples: [{ text: mobyDick.samples[0]?.text.slice(0, 6000) ?? "" }],
  };
  input = { task: "language-modelling", dataset: text, settings: tiny, seed: 3 };
});

/** Runs `strategy` and checks that it left no tensor behind, whether it returned or threw. */
async function withoutLeaks<T>(strategy: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  try {
    return await strategy();
  } finally {
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe("runLrRangeTest", () => {
  it("raises the LR exponentially until the loss explodes and suggests one within the range", async () => {
    const options = { minLr: 1e-4, maxLr: 10, steps: 60, smoothing: 0.9 };
    const result = await withoutLeaks(() => runLrRangeTest(input, options));
    expect(result.curve[0]?.lr).toBeCloseTo(1e-4);
    expect(result.diverged).toBe(true);
    expect(result.curve.length).toBeLessThan(60);
    expect(result.suggestedLr).toBeGreaterThanOrEqual(options.minLr);
    expect(result.suggestedLr).toBeLessThanOrEqual(options.maxLr);
    // The loss falls before it explodes.
    const lowest = Math.min(...result.curve.map((point) => point.smoothedLoss));
    expect(lowest).toBeLessThan(result.curve[0]?.smoothedLoss ?? 0);
    expect(JSON.parse(JSON.stringify(result)).curve).toHaveLength(result.curve.length);
  });

  it("is reproducible from its seed", async () => {
    const options = { minLr: 1e-4, maxLr: 1e-1, steps: 12 };
    const [a, b] = [await runLrRangeTest(input, options), await runLrRangeTest(input, options)];
    expect(a.curve).toEqual(b.curve);
  });

  it("stops at the stop signal, freeing its tensors", async () => {
    let steps = 0;
    const stop = () => ++steps > 5;
    await expect(
      withoutLeaks(() => runLrRangeTest({ ...input, stop }, { minLr: 1e-4, maxLr: 1, steps: 50 })),
    ).rejects.toThrow(StrategyStoppedError);
  });
});

describe("runBatchSizeCrossValidation", () => {
  it("scores every batch size on every fold at an equal token budget", async () => {
    const result = await withoutLeaks(() =>
      runBatchSizeCrossValidation(input, { batchSizes: [2, 8], folds: 2, tokenBudget: 16 * 8 * 4 }),
    );
    expect(result.candidates.map((candidate) => [candidate.batchSize, candidate.steps])).toEqual([
      [2, 16],
      [8, 4],
    ]);
    for (const candidate of result.candidates) {
      expect(candidate.losses).toHaveLength(2);
      for (const loss of candidate.losses) expect(loss).toBeGreaterThan(0);
    }
    expect([2, 8]).toContain(result.recommended);
  });
});

describe("runBatchSizeSweep", () => {
  it("trains each batch size with the LR scaled from the settings' batch size and LR", async () => {
    const result = await withoutLeaks(() =>
      runBatchSizeSweep(input, {
        batchSizes: [2, 4, 16],
        tokenBudget: 16 * 16 * 3,
        scaling: "sqrt",
      }),
    );
    expect(result.curve.map((point) => point.lr)).toEqual([
      1e-2 * Math.sqrt(2 / 4),
      1e-2,
      1e-2 * Math.sqrt(16 / 4),
    ]);
    for (const point of result.curve) expect(point.loss).toBeGreaterThan(0);
    expect([2, 4, 16]).toContain(result.recommended);
  });
});

describe("runGradientNoiseScale", () => {
  it("estimates the critical batch size from gradient norms at a small and a big batch", async () => {
    const result = await withoutLeaks(() =>
      runGradientNoiseScale(input, { smallBatch: 2, bigBatch: 32, count: 6, trainSteps: 10 }),
    );
    expect(result.measurements).toHaveLength(6);
    expect(result.simpleNoiseScale).toBeGreaterThan(0);
    expect(Math.log2(result.recommended) % 1).toBe(0);
    // A bigger batch averages out noise: its gradient is shorter, on average.
    const mean = (values: number[]) => values.reduce((a, b) => a + b) / values.length;
    expect(mean(result.measurements.map((m) => m.bigSquaredNorm))).toBeLessThan(
      mean(result.measurements.map((m) => m.smallSquaredNorm)),
    );
  });

  it("needs a big batch that is a multiple of the small one", async () => {
    await expect(
      runGradientNoiseScale(input, { smallBatch: 4, bigBatch: 6, count: 1, trainSteps: 1 }),
    ).rejects.toThrow("bigBatch 6 must be a multiple of smallBatch 4, above it");
  });
});

describe("parseStrategyRequest and runStrategy", () => {
  it("fill in defaults and run the strategy the kind names", async () => {
    const request = parseStrategyRequest("lr-range-test", {
      trial: tiny,
      options: { minLr: 1e-3, maxLr: 1e-1, steps: 10 },
    });
    expect(request).toEqual({
      kind: "lr-range-test",
      task: "language-modelling",
      seed: 0,
      trial: tiny,
      options: { minLr: 1e-3, maxLr: 1e-1, steps: 10 },
    });
    expect(parseStrategyRequest("lr-range-test", {}).options).toEqual({
      minLr: 1e-6,
      maxLr: 1,
      steps: 100,
    });
    const result = await runStrategy(request, { dataset: input.dataset });
    expect("curve" in result && result.curve).toHaveLength(10);
  });

  it("name every bad option and setting", () => {
    const problems = (kind: Parameters<typeof parseStrategyRequest>[0], settings: unknown) => {
      try {
        parseStrategyRequest(kind, settings);
      } catch (error) {
        expect(error).toBeInstanceOf(TrialConfigError);
        return (error as TrialConfigError).problems;
      }
      throw new Error("no problems found");
    };
    expect(
      problems("batch-size-sweep", { options: { batchSizes: [], scaling: "cubic", tokens: 1 } }),
    ).toEqual([
      "options.batchSizes: needs at least one batch size",
      expect.stringMatching(/^options\.tokenBudget: /),
      expect.stringMatching(/^options\.scaling: .*"linear"/),
      expect.stringMatching(/^options: .*"tokens"/),
    ]);
    expect(problems("lr-range-test", { trial: { layerz: 2 } })).toEqual([
      expect.stringMatching(/^unknown setting "layerz"/),
    ]);
  });
});

describe("fold splits", () => {
  it("hold out each part of a token stream once and train on the rest", () => {
    const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
    const folds = [0, 1, 2].map((index) => splitTokenStreamFold(tokens, { index, count: 3 }));
    expect(folds.map((fold) => [...fold.validation])).toEqual([
      [0, 1, 2],
      [3, 4, 5, 6],
      [7, 8, 9],
    ]);
    expect([...(folds[1]?.train ?? [])]).toEqual([0, 1, 2, 7, 8, 9]);
    expect(() => splitTokenStreamFold(tokens, { index: 3, count: 3 })).toThrow(
      "fold 3 is not one of 3 folds",
    );
  });

  it("hold out each sample once, in a seeded order", () => {
    const samples = Array.from({ length: 7 }, (_, i) => `s${i}`);
    const folds = [0, 1, 2].map((index) => splitSamplesFold(samples, { index, count: 3 }, 5));
    expect(folds.flatMap((fold) => fold.validation).sort()).toEqual([...samples].sort());
    for (const fold of folds) {
      expect([...fold.train, ...fold.validation].sort()).toEqual([...samples].sort());
    }
    expect(splitSamplesFold(samples, { index: 1, count: 3 }, 5)).toEqual(folds[1]);
  });
});
