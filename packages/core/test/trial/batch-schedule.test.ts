import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/data/corpora.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import type { StepReport } from "../../src/train/trainer.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import { runTrial, type TrialCheckpoint } from "../../src/trial/run.ts";
import { buildTrialPlan, type TrialContext } from "../../src/trial/settings.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const corpus: TextDataset = { format: "text", samples: [{ text: "abcabcabd, a tiny corpus" }] };
const context: TrialContext = {
  task: "language-modelling",
  dataset: corpus,
  budget: { steps: 100 },
};

describe("batch_schedule in a trial's plan", () => {
  it("is fixed by default, with the budget as the study gives it", () => {
    const plan = buildTrialPlan({}, context);
    expect(plan.noiseScaleBatch).toBeUndefined();
    expect(plan.budget).toEqual({ steps: 100 });
  });

  it("noise-scale: spends a steps budget's tokens, up to 8 × the batch, sqrt for Adam(W)", () => {
    const settings = { batch_schedule: "noise-scale", batch_size: 4, seq_len: 16 };
    const plan = buildTrialPlan({ ...settings, accumulation_steps: 3 }, context);
    // 100 steps of 4 × 16 × 3 tokens.
    expect(plan.budget).toEqual({ tokens: 19_200 });
    expect(plan.steps).toBe(100);
    expect(plan.noiseScaleBatch).toEqual({
      microbatchSize: 4,
      maxMicrobatches: 24,
      lrScaling: "sqrt",
      tokensPerBaseStep: 192,
    });
    expect(
      buildTrialPlan({ ...settings, optimizer: "sgd" }, context).noiseScaleBatch,
    ).toMatchObject({ lrScaling: "linear" });
    const chosen = buildTrialPlan(
      { ...settings, max_batch_size: 30, batch_lr_scaling: "none" },
      { ...context, budget: { tokens: 5000 } },
    );
    expect(chosen.budget).toEqual({ tokens: 5000 });
    expect(chosen.noiseScaleBatch).toMatchObject({ maxMicrobatches: 7, lrScaling: "none" });
  });

  it("noise-scale: refuses a maximum below the two microbatches it starts at", () => {
    const plan = () =>
      buildTrialPlan({ batch_schedule: "noise-scale", batch_size: 4, max_batch_size: 7 }, context);
    expect(plan).toThrow(TrialConfigError);
    expect(plan).toThrow(
      "max_batch_size 7 is below the batch noise-scale starts at, 2 microbatches of batch_size 4",
    );
  });
});

describe("a noise-scale trial", () => {
  let text: TextDataset;
  beforeAll(async () => {
    const mobyDick = await loadCorpus("moby-dick");
    text = { format: "text", samples: [{ text: mobyDick.samples[0]?.text.slice(0, 6000) ?? "" }] };
  });

  const settings = {
    layers: 1,
    d_model: 16,
    heads: 2,
    seq_len: 16,
    batch_size: 4,
    lr: 1e-2,
    dropout: 0.1,
    eval_every: 50,
    batch_schedule: "noise-scale",
    max_batch_size: 16,
  };

  async function recorded(resumeFrom?: Uint8Array) {
    const steps: StepReport[] = [];
    const checkpoints: TrialCheckpoint[] = [];
    const outcome = await runTrial({
      task: "language-modelling",
      dataset: text,
      settings,
      // 240 steps of the base batch of 4 × 16 tokens.
      budget: { steps: 240 },
      seed: 1,
      checkpointEvery: 20,
      resumeFrom,
      onStep: (report) => void steps.push(report),
      onCheckpoint: (checkpoint) => void checkpoints.push(checkpoint),
    });
    return { outcome, steps, checkpoints };
  }

  it("reports its batch and noise scale, and resumes with the grown batch", async () => {
    const straight = await recorded();
    const { outcome } = straight;
    expect(outcome).toMatchObject({ reason: "budget", tokensSeen: 240 * 64 });
    expect(outcome.step).toBeLessThan(240);
    expect(outcome.metrics.effective_batch_size).toBe(straight.steps.at(-1)?.batchSize);
    expect(outcome.metrics.noise_scale).toBeGreaterThan(0);
    expect(outcome.metrics.effective_batch_size).toBeGreaterThan(8);

    // Resumed after the batch grew, the trial goes on as if it had not stopped.
    const grown = straight.steps.find((s) => (s.batchSize ?? 0) > 8)?.step ?? Number.NaN;
    const checkpoint = straight.checkpoints.find((c) => c.kind === "last" && c.step > grown);
    expect(checkpoint?.step).toBeLessThan(outcome.step);
    const before = tf.memory().numTensors;
    const resumed = await recorded(checkpoint?.bytes);
    expect(tf.memory().numTensors).toBe(before);
    const after = straight.steps.filter((s) => s.step > (checkpoint?.step ?? 0));
    const numbers = (steps: StepReport[]) =>
      steps.map((s) => [
        s.step,
        s.tokensSeen,
        s.trainLoss,
        s.learningRate,
        s.batchSize,
        s.noiseScale,
      ]);
    expect(numbers(resumed.steps)).toEqual(numbers(after));
    expect(resumed.outcome.metrics.val_loss).toBe(outcome.metrics.val_loss);
  });
});
