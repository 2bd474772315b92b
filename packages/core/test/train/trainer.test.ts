import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ClassificationExample,
  ClassificationSampler,
  classificationEvaluationBatches,
  evaluationBatches,
  type TokenBatch,
  WindowSampler,
} from "../../src/data/batches.ts";
import type { GPTConfigInput } from "../../src/model/config.ts";
import { createGPT, disposeGPT, type GPT } from "../../src/model/gpt.ts";
import { Random } from "../../src/random.ts";
import type { OptimizerConfigInput } from "../../src/train/optimizer-config.ts";
import { Optimizer } from "../../src/train/optimizers.ts";
import {
  type BatchSource,
  type EvalReport,
  type StepReport,
  Trainer,
  type TrainerOptions,
} from "../../src/train/trainer.ts";
import { useWasmBackend } from "../tf-backend.ts";
import { tokenStream } from "./token-stream.ts";

useWasmBackend();

const small: GPTConfigInput = { vocabSize: 12, seqLen: 16, layers: 2, dModel: 32, heads: 4 };

const stream = tokenStream(4000, 1);
const validationStream = tokenStream(1000, 2);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setUp(
  options: Partial<TrainerOptions> & {
    config?: Partial<GPTConfigInput>;
    optimizerConfig?: OptimizerConfigInput;
    batchSize?: number;
    seed?: number;
  } = {},
) {
  const { config, optimizerConfig, batchSize, seed, ...trainerOptions } = options;
  const model = createGPT({ ...small, ...config }, seed ?? 1);
  const optimizer = new Optimizer(optimizerConfig ?? { kind: "adam" }, model.parameters);
  cleanups.push(() => {
    disposeGPT(model);
    optimizer.dispose();
  });
  const trainer = new Trainer({
    model,
    optimizer,
    train: new WindowSampler(stream, { seqLen: 16, batchSize: batchSize ?? 4, seed: seed ?? 1 }),
    validation: () =>
      evaluationBatches(validationStream, { seqLen: 16, batchSize: 8, maxWindows: 16 }),
    budget: { steps: 10 },
    learningRate: 3e-3,
    seed: seed ?? 1,
    ...trainerOptions,
  });
  return { model, optimizer, trainer };
}

/** Always the same batch. */
function fixedSource(batch: TokenBatch): BatchSource {
  return { next: () => batch, getState: () => null, setState: () => {} };
}

function collectSteps() {
  const steps: StepReport[] = [];
  return { steps, onStep: (report: StepReport) => void steps.push(report) };
}

describe("Trainer", () => {
  it("overfits a single batch to near-zero loss", async () => {
    const random = new Random(3);
    const tokens = Int32Array.from({ length: 4 * 17 }, () => random.int(0, 11));
    const batch: TokenBatch = {
      inputs: Int32Array.from({ length: 64 }, (_, i) => tokens[i + Math.floor(i / 16)] as number),
      targets: Int32Array.from(
        { length: 64 },
        (_, i) => tokens[i + Math.floor(i / 16) + 1] as number,
      ),
      batchSize: 4,
    };
    const { steps, onStep } = collectSteps();
    const { trainer } = setUp({
      train: fixedSource(batch),
      budget: { steps: 150 },
      learningRate: 1e-2,
      onStep,
    });
    const result = await trainer.run();
    expect(result.reason).toBe("budget");
    expect(steps[0]?.trainLoss).toBeGreaterThan(2);
    expect(steps.at(-1)?.trainLoss).toBeLessThan(0.05);
  });

  it("reports every step with its learning rate, gradient norm and speed", async () => {
    const { steps, onStep } = collectSteps();
    const { trainer } = setUp({
      schedule: { kind: "constant", warmupSteps: 4 },
      budget: { steps: 5 },
      onStep,
    });
    await trainer.run();
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    expect(steps.map((s) => s.tokensSeen)).toEqual([64, 128, 192, 256, 320]);
    const rates = [0, 7.5e-4, 1.5e-3, 2.25e-3, 3e-3];
    for (let i = 0; i < rates.length; i++) {
      expect(steps[i]?.learningRate).toBeCloseTo(rates[i] as number, 12);
    }
    for (const step of steps) {
      expect(step.gradNorm).toBeGreaterThan(0);
      expect(step.tokensPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(step.trainLoss)).toBe(true);
    }
  });

  it("spends a token budget to the first step that reaches it", async () => {
    const { trainer } = setUp({ budget: { tokens: 300 } });
    const result = await trainer.run();
    expect(result).toMatchObject({ reason: "budget", step: 5, tokensSeen: 320 });
  });

  it("evaluates every N steps and once more at the end, with perplexity", async () => {
    const evals: EvalReport[] = [];
    const { trainer } = setUp({
      budget: { steps: 7 },
      evalEvery: 3,
      onEval: (report) => void evals.push(report),
    });
    const result = await trainer.run();
    expect(evals.map((e) => e.step)).toEqual([3, 6, 7]);
    for (const e of evals) expect(e.perplexity).toBeCloseTo(Math.exp(e.validationLoss), 6);
    expect(evals.at(-1)?.validationLoss).toBeLessThan(evals[0]?.validationLoss ?? 0);
    expect(result.lastEval).toEqual(evals.at(-1));
    expect(evals[0]?.accuracy).toBeUndefined();
  });

  it("reports validation accuracy for a classifier", async () => {
    const random = new Random(4);
    // Class 1 iff the text contains token 5: learnable by mean pooling.
    const examples: ClassificationExample[] = Array.from({ length: 64 }, () => {
      const tokens = Array.from({ length: random.int(3, 16) }, () => random.int(0, 4));
      const label = random.int(0, 1);
      if (label === 1) tokens[random.int(0, tokens.length - 1)] = 5;
      return { tokens, label };
    });
    const evals: EvalReport[] = [];
    const options = { seqLen: 16, batchSize: 8, padToken: 0 };
    const { trainer } = setUp({
      config: { numClasses: 2 },
      train: new ClassificationSampler(examples, { ...options, seed: 5 }),
      validation: () => classificationEvaluationBatches(examples, options),
      budget: { steps: 100 },
      learningRate: 1e-2,
      evalEvery: 100,
      onEval: (report) => void evals.push(report),
    });
    await trainer.run();
    expect(evals).toHaveLength(1);
    expect(evals[0]?.accuracy).toBeGreaterThan(0.9);
  });

  it("keeps the number of live tensors flat across steps", async () => {
    const counts: number[] = [];
    const { trainer } = setUp({
      config: { dropout: 0.1 },
      budget: { steps: 8 },
      accumulationSteps: 2,
      maxGradNorm: 1,
      evalEvery: 2,
      onStep: () => void counts.push(tf.memory().numTensors),
    });
    const before = tf.memory().numTensors;
    await trainer.run();
    expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[1]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("frees every tensor of a model and its optimizer when they are disposed", () => {
    const before = tf.memory().numTensors;
    const model = createGPT({ ...small, positions: "rotary" }, 1);
    const optimizer = new Optimizer({ kind: "adamw" }, model.parameters);
    expect(tf.memory().numTensors).toBe(before + 3 * model.parameters.size);
    disposeGPT(model);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("repeats the same losses for the same seed, with dropout, and others for another seed", async () => {
    const losses = async (seed: number) => {
      const { steps, onStep } = collectSteps();
      const { trainer } = setUp({ config: { dropout: 0.2 }, budget: { steps: 5 }, seed, onStep });
      await trainer.run();
      return steps.map((s) => s.trainLoss);
    };
    const first = await losses(7);
    expect(await losses(7)).toEqual(first);
    expect(await losses(8)).not.toEqual(first);
  });

  it("averages the gradients of microbatches like one large batch", async () => {
    const whole = new WindowSampler(stream, { seqLen: 16, batchSize: 4, seed: 9 }).next();
    const half = (part: 0 | 1): TokenBatch => ({
      inputs: whole.inputs.slice(part * 32, part * 32 + 32),
      targets: whole.targets.slice(part * 32, part * 32 + 32),
      batchSize: 2,
    });
    let calls = 0;
    const halves: BatchSource = {
      next: () => half((calls++ % 2) as 0 | 1),
      getState: () => null,
      setState: () => {},
    };
    const run = async (train: BatchSource, accumulationSteps: number) => {
      const { steps, onStep } = collectSteps();
      const { model, trainer } = setUp({
        train,
        accumulationSteps,
        budget: { steps: 1 },
        optimizerConfig: { kind: "sgd" },
        learningRate: 0.5,
        onStep,
      });
      await trainer.run();
      return { loss: steps[0]?.trainLoss ?? NaN, weights: flatWeights(model) };
    };
    const single = await run(fixedSource(whole), 1);
    const accumulated = await run(halves, 2);
    expect(calls).toBe(2);
    expect(accumulated.loss).toBeCloseTo(single.loss, 5);
    const worst = single.weights.reduce(
      (max, w, i) => Math.max(max, Math.abs(w - (accumulated.weights[i] as number))),
      0,
    );
    expect(worst).toBeLessThan(1e-6);
    // And the update did move the weights, so the comparison means something.
    const initial = flatWeights(setUp().model);
    expect(
      Math.max(...single.weights.map((w, i) => Math.abs(w - (initial[i] as number)))),
    ).toBeGreaterThan(1e-3);
  });

  it("stops when the stop signal is aborted or the stop function says so", async () => {
    const controller = new AbortController();
    const { trainer } = setUp({
      stop: controller.signal,
      onStep: (report) => {
        if (report.step === 3) controller.abort();
      },
    });
    expect(await trainer.run()).toMatchObject({ reason: "stopped", step: 3 });

    let steps = 0;
    const second = setUp({ stop: () => steps >= 2, onStep: () => void steps++ }).trainer;
    expect(await second.run()).toMatchObject({ reason: "stopped", step: 2 });
  });

  it("stops with a reason when the loss explodes, leaving the weights as they were", async () => {
    const { trainer, model } = setUp({
      optimizerConfig: { kind: "sgd", momentum: 0.9 },
      learningRate: 50,
      budget: { steps: 50 },
    });
    const result = await trainer.run();
    expect(result.reason).toBe("diverged");
    expect(result.detail).toMatch(
      /training loss .* exceeds 3 × the first step's|is NaN|is Infinity/,
    );
    expect(flatWeights(model).every(Number.isFinite)).toBe(true);
  });

  it("stops on a NaN loss before updating", async () => {
    const { trainer, model } = setUp();
    const weight = model.parameters.get("blocks.0.mlpIn.weight") as tf.Variable;
    tf.tidy(() => weight.assign(tf.fill(weight.shape, NaN)));
    const result = await trainer.run();
    expect(result).toMatchObject({
      reason: "diverged",
      step: 0,
      detail: "training loss is NaN at step 1",
    });
  });

  it("rejects invalid options with context", () => {
    expect(() => setUp({ budget: { steps: 0 } })).toThrow(
      "the training budget must be a positive whole number, got 0",
    );
    expect(() => setUp({ validation: undefined, evalEvery: 5 })).toThrow(
      "evalEvery is set but no validation batches were given",
    );
    expect(() => setUp({ accumulationSteps: 1.5 })).toThrow(
      "accumulationSteps must be a positive whole number",
    );
  });
});

function flatWeights(model: GPT): number[] {
  return [...model.parameters.values()].flatMap((v) => Array.from(v.dataSync()));
}
