import { afterEach, describe, expect, it } from "vitest";
import { WindowSampler } from "../../src/data/batches.ts";
import { createGPT, disposeGPT } from "../../src/model/gpt.ts";
import { Optimizer } from "../../src/train/optimizers.ts";
import { learningRateAt, type Schedule } from "../../src/train/schedules.ts";
import { type StepReport, Trainer, type TrainerOptions } from "../../src/train/trainer.ts";
import { useWasmBackend } from "../tf-backend.ts";
import { tokenStream } from "./token-stream.ts";

useWasmBackend();

const stream = tokenStream(8000, 1);
const schedule: Schedule = { kind: "cosine", decaySteps: 220, minLr: 0, warmupSteps: 10 };
/** Microbatches of 4 windows of 16 tokens. */
const tokensPerMicrobatch = 4 * 16;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A tiny GPT trained on `stream` in microbatches of 4, reporting every step. */
async function train(options: Partial<TrainerOptions>) {
  const model = createGPT({ vocabSize: 12, seqLen: 16, layers: 1, dModel: 16, heads: 2 }, 1);
  const optimizer = new Optimizer({ kind: "adamw" }, model.parameters);
  cleanups.push(() => {
    disposeGPT(model);
    optimizer.dispose();
  });
  const steps: StepReport[] = [];
  const trainer = new Trainer({
    model,
    optimizer,
    train: new WindowSampler(stream, { seqLen: 16, batchSize: 4, seed: 1 }),
    budget: { steps: 20 },
    learningRate: 1e-2,
    schedule,
    accumulationSteps: 2,
    seed: 1,
    onStep: (report) => void steps.push(report),
    ...options,
  });
  const result = await trainer.run();
  const weights = [...model.parameters.values()].flatMap((p) => Array.from(p.dataSync()));
  return { result, steps, weights, trainer };
}

const growing = {
  microbatchSize: 4,
  maxMicrobatches: 8,
  lrScaling: "sqrt",
  tokensPerBaseStep: 2 * tokensPerMicrobatch,
} as const;

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

describe("Trainer with a noise-scale batch", () => {
  it("grows the batch towards the noise scale it measures as the loss falls, to the maximum at most", async () => {
    const budget = { tokens: 220 * 2 * tokensPerMicrobatch };
    // At most 3 microbatches, where the noise scale passes 30 sequences.
    const { result, steps } = await train({
      budget,
      noiseScaleBatch: { ...growing, maxMicrobatches: 3 },
    });
    expect(result.reason).toBe("budget");
    // The batch grew, so the tokens took fewer steps than the 220 of the base batch.
    expect(result.step).toBeLessThan(220);
    expect(result.tokensSeen).toBeGreaterThanOrEqual(budget.tokens);

    const noise = steps.map((s) => s.noiseScale);
    expect(noise.filter((value) => value !== undefined).length).toBeGreaterThan(0.9 * steps.length);
    for (const value of noise) if (value !== undefined) expect(value).toBeGreaterThan(0);
    const early = noise.slice(5, 30).filter((v) => v !== undefined);
    const late = noise.slice(-25).filter((v) => v !== undefined);
    expect(mean(steps.slice(-25).map((s) => s.trainLoss))).toBeLessThan(
      mean(steps.slice(5, 30).map((s) => s.trainLoss)),
    );
    expect(mean(late)).toBeGreaterThan(1.5 * mean(early));

    const batches = steps.map((s) => s.batchSize ?? 0);
    expect(batches[0]).toBe(8);
    expect(batches.at(-1)).toBe(12);
    expect(Math.max(...batches)).toBe(12);
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]).toBeGreaterThanOrEqual(batches[i - 1] as number);
      // It grows to the noise scale measured by the step before, not above.
      if ((batches[i] as number) > (batches[i - 1] as number)) {
        expect(batches[i]).toBeLessThanOrEqual(noise[i - 1] ?? 0);
      }
    }
    // Each step's tokens are its batch's.
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i] as StepReport;
      const tokens = step.tokensSeen - (steps[i - 1] as StepReport).tokensSeen;
      expect(tokens).toBe((step.batchSize ?? 0) * 16);
    }

    // The schedule's rate at the base batch's steps so far, times √(batch / base batch).
    steps.forEach((step, i) => {
      const tokensBefore = i === 0 ? 0 : (steps[i - 1] as StepReport).tokensSeen;
      const position = Math.floor(tokensBefore / growing.tokensPerBaseStep);
      const expected =
        learningRateAt(schedule, 1e-2, position) * Math.sqrt((step.batchSize ?? 0) / 8);
      expect(step.learningRate).toBeCloseTo(expected, 14);
    });
  });

  it("trains bit for bit as a fixed batch does while the batch stays at its start", async () => {
    const fixed = await train({});
    const measured = await train({ noiseScaleBatch: { ...growing, maxMicrobatches: 2 } });
    expect(measured.steps.map((s) => s.batchSize)).toEqual(fixed.steps.map(() => 8));
    const numbers = (steps: StepReport[]) =>
      steps.map((s) => [s.step, s.tokensSeen, s.trainLoss, s.learningRate, s.gradNorm]);
    expect(numbers(measured.steps)).toEqual(numbers(fixed.steps));
    expect(measured.weights).toEqual(fixed.weights);
    const { noiseScaleBatch, ...state } = measured.trainer.getState();
    expect(state).toEqual(fixed.trainer.getState());
    expect(noiseScaleBatch?.measurements).toBe(20);
  });
});
