import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/data/corpora.ts";
import { parseDataset, type TextDataset } from "../../src/data/text-dataset.ts";
import { Random } from "../../src/random.ts";
import type { EvalReport, StepReport } from "../../src/train/trainer.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import type { TrialMetrics } from "../../src/trial/metric-definitions.ts";
import { runTrial, type TrialCheckpoint, type TrialRunOptions } from "../../src/trial/run.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

/** A model small enough that a trial of a few steps takes a fraction of a second. */
const tiny = { layers: 1, d_model: 16, heads: 2, seq_len: 16, batch_size: 4, lr: 1e-2 };

let text: TextDataset;
beforeAll(async () => {
  const mobyDick = await loadCorpus("moby-dick");
  text = { format: "text", samples: [{ text: mobyDick.samples[0]?.text.slice(0, 6000) ?? "" }] };
});

/** Runs a trial and records what it reported, in order. */
async function recordedTrial(options: Partial<TrialRunOptions> = {}) {
  const steps: StepReport[] = [];
  const evals: EvalReport[] = [];
  const checkpoints: TrialCheckpoint[] = [];
  const events: string[] = [];
  const baselines: TrialMetrics[] = [];
  const outcome = await runTrial({
    task: "language-modelling",
    dataset: text,
    settings: { ...tiny, eval_every: 3 },
    budget: { steps: 8 },
    seed: 1,
    ...options,
    onStep: async (report) => {
      steps.push(report);
      events.push(`step ${report.step}`);
      await options.onStep?.(report);
    },
    onEval: async (report) => {
      evals.push(report);
      events.push(`eval ${report.step}`);
      return options.onEval?.(report);
    },
    onCheckpoint: async (checkpoint) => {
      checkpoints.push(checkpoint);
      events.push(`${checkpoint.kind} ${checkpoint.step}`);
      await options.onCheckpoint?.(checkpoint);
    },
    onBaseline: (metrics) => {
      baselines.push(metrics);
      events.push("baseline");
    },
  });
  const stepsOf = (kind: TrialCheckpoint["kind"]) =>
    checkpoints.filter((c) => c.kind === kind).map((c) => c.step);
  return {
    outcome,
    steps,
    evals,
    checkpoints,
    events,
    baselines,
    lasts: stepsOf("last"),
    bests: stepsOf("best"),
  };
}

/** The steps at which the validation loss reached a new low. */
function improvements(evals: EvalReport[]): number[] {
  const steps: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (const e of evals) {
    if (e.validationLoss < best) steps.push(e.step);
    best = Math.min(best, e.validationLoss);
  }
  return steps;
}

describe("runTrial", () => {
  it("reports steps and evaluations, and checkpoints at the right steps", async () => {
    const before = tf.memory().numTensors;
    const run = await recordedTrial({ checkpointEvery: 2 });
    expect(tf.memory().numTensors).toBe(before);

    expect(run.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.steps.at(-1)?.tokensSeen).toBe(8 * 4 * 16);
    // Every 3 steps and at the end.
    expect(run.evals.map((e) => e.step)).toEqual([3, 6, 8]);
    expect(run.lasts).toEqual([2, 4, 6, 8]);
    expect(run.bests).toEqual(improvements(run.evals));
    expect(run.bests[0]).toBe(3);
    // Once, before the first step: English letters' frequencies are worth about 3 nats a letter.
    expect(run.events[0]).toBe("baseline");
    expect(run.baselines).toEqual([{ baseline_val_loss: expect.closeTo(3, 0) }]);
    // A checkpoint at an evaluation step follows the evaluation, so that a resume does not skip it.
    expect(run.events.indexOf("last 6")).toBeGreaterThan(run.events.indexOf("eval 6"));

    const { outcome } = run;
    expect(outcome).toMatchObject({ reason: "budget", step: 8, tokensSeen: 512 });
    expect(outcome.detail).toBeUndefined();
    expect(outcome.metrics).toMatchObject({
      train_loss: run.steps.at(-1)?.trainLoss,
      lr: run.steps.at(-1)?.learningRate,
      val_loss: run.evals.at(-1)?.validationLoss,
      param_count: outcome.parameterCount,
    });
    expect(outcome.metrics.tokens_per_s).toBeGreaterThan(0);
    expect(outcome.metrics.flops_per_token).toBeGreaterThan(6 * outcome.parameterCount);
    expect(outcome.metrics.val_accuracy).toBeUndefined();
  });

  it("resumes from a mid-run checkpoint with exactly the losses of an uninterrupted run", async () => {
    const settings = { ...tiny, dropout: 0.1, eval_every: 3 };
    const straight = await recordedTrial({ settings, checkpointEvery: 4 });
    const atStep4 = straight.checkpoints.find((c) => c.kind === "last" && c.step === 4);
    expect(atStep4).toBeDefined();

    const before = tf.memory().numTensors;
    const resumed = await recordedTrial({ settings, resumeFrom: atStep4?.bytes });
    expect(tf.memory().numTensors).toBe(before);

    expect(resumed.steps.map((s) => s.step)).toEqual([5, 6, 7, 8]);
    expect(resumed.steps.map((s) => s.trainLoss)).toEqual(
      straight.steps.slice(4).map((s) => s.trainLoss),
    );
    expect(resumed.evals.map((e) => [e.step, e.validationLoss])).toEqual(
      straight.evals.filter((e) => e.step > 4).map((e) => [e.step, e.validationLoss]),
    );
    // The best so far travels in the checkpoint, so "best" is judged against the step-3 value.
    expect(resumed.bests).toEqual(straight.bests.filter((step) => step > 4));
    expect(resumed.outcome).toMatchObject({ reason: "budget", step: 8, tokensSeen: 512 });
    expect(resumed.outcome.metrics.val_loss).toBe(straight.outcome.metrics.val_loss);

    // Resumed at its last step, a trial only evaluates again: the same loss is no new best, and
    // the mean throughput is still the whole trial's.
    const atEnd = straight.checkpoints.findLast((c) => c.kind === "last");
    expect(atEnd?.step).toBe(8);
    const again = await recordedTrial({ settings, resumeFrom: atEnd?.bytes });
    expect(again.steps).toEqual([]);
    expect(again.evals.map((e) => [e.step, e.validationLoss])).toEqual([
      [8, straight.outcome.metrics.val_loss],
    ]);
    expect(again.checkpoints).toEqual([]);
    expect(again.outcome.metrics.tokens_per_s).toBe(straight.outcome.metrics.tokens_per_s);
  });

  it("refuses a checkpoint of other settings", async () => {
    const { checkpoints } = await recordedTrial({ budget: { steps: 1 } });
    const before = tf.memory().numTensors;
    await expect(
      recordedTrial({ settings: { ...tiny, d_model: 32 }, resumeFrom: checkpoints[0]?.bytes }),
    ).rejects.toThrow(
      "the checkpoint to resume from does not fit this trial: its model's d_model is 16, the settings give 32",
    );
    await expect(
      recordedTrial({ settings: { ...tiny, optimizer: "sgd" }, resumeFrom: checkpoints[0]?.bytes }),
    ).rejects.toThrow("its optimizer's kind is adamw, the settings give sgd");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("resumes with new values of the settings that may change mid-training (as PBT does)", async () => {
    const settings = { ...tiny, schedule: "constant", dropout: 0, weight_decay: 0.01 };
    const straight = await recordedTrial({ settings, checkpointEvery: 4 });
    const atStep4 = straight.checkpoints.find((c) => c.kind === "last" && c.step === 4);
    const changed = { ...settings, lr: 2e-3, weight_decay: 0.5, dropout: 0.2, grad_clip: 0.5 };
    const before = tf.memory().numTensors;
    const resumed = await recordedTrial({ settings: changed, resumeFrom: atStep4?.bytes });
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.steps.map((s) => [s.step, s.learningRate])).toEqual([
      [5, 2e-3],
      [6, 2e-3],
      [7, 2e-3],
      [8, 2e-3],
    ]);
    // The weights and the optimizer's moments are the checkpoint's: the first resumed step's loss
    // (measured before its update) is the uninterrupted run's; later ones follow the new settings.
    const unchanged = await recordedTrial({ settings, resumeFrom: atStep4?.bytes });
    expect(unchanged.steps.map((s) => s.trainLoss)).toEqual(
      straight.steps.slice(4).map((s) => s.trainLoss),
    );
    const noDropout = await recordedTrial({
      settings: { ...changed, dropout: 0 },
      resumeFrom: atStep4?.bytes,
    });
    expect(noDropout.steps[0]?.trainLoss).toBe(straight.steps[4]?.trainLoss);
    expect(noDropout.steps[1]?.trainLoss).not.toBe(straight.steps[5]?.trainLoss);
  });

  it("stops between steps when the stop signal is aborted or the stop function says so", async () => {
    const controller = new AbortController();
    const aborted = await recordedTrial({
      stop: controller.signal,
      onStep: (report) => {
        if (report.step === 2) controller.abort();
      },
    });
    expect(aborted.outcome).toMatchObject({
      reason: "stopped",
      step: 2,
      detail: "stop signal received",
    });
    // A stopped trial keeps its state, to be resumed or promoted.
    expect(aborted.lasts).toEqual([2]);

    let steps = 0;
    const stopped = await recordedTrial({ stop: () => steps >= 4, onStep: () => void steps++ });
    expect(stopped.outcome).toMatchObject({ reason: "stopped", step: 4 });
  });

  it("stops at once when an evaluation says stop", async () => {
    const run = await recordedTrial({ onEval: () => "stop" });
    expect(run.outcome).toMatchObject({
      reason: "stopped",
      step: 3,
      detail: "stopped by the evaluation at step 3",
    });
    expect(run.steps).toHaveLength(3);
    expect(run.events.slice(-3)).toEqual(["eval 3", "best 3", "last 3"]);
  });

  it("ends a diverging trial with the reason and no last checkpoint", async () => {
    const before = tf.memory().numTensors;
    const exploding = await recordedTrial({
      settings: { ...tiny, optimizer: "sgd", lr: 1000, grad_clip: 0 },
      budget: { steps: 50 },
      checkpointEvery: 100,
    });
    expect(exploding.outcome).toMatchObject({ reason: "diverged", step: 1 });
    expect(exploding.outcome.detail).toMatch(/^training loss \S+ at step 2 exceeds 3 × the first/);
    expect(exploding.lasts).toEqual([]);

    // The trainer checks a step's loss before its update; an evaluation right after sees the result.
    const overflowing = await recordedTrial({
      settings: { ...tiny, optimizer: "sgd", lr: 1e30, grad_clip: 0, eval_every: 1 },
      budget: { steps: 50 },
    });
    expect(overflowing.outcome).toMatchObject({
      reason: "diverged",
      step: 1,
      detail: "validation loss is NaN at step 1",
    });
    expect(overflowing.evals).toEqual([]);
    expect(overflowing.checkpoints).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("frees every tensor when a callback fails", async () => {
    const before = tf.memory().numTensors;
    await expect(
      recordedTrial({
        checkpointEvery: 2,
        onCheckpoint: () => {
          throw new Error("the database is away");
        },
      }),
    ).rejects.toThrow("the database is away");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects settings, objectives and data that do not fit, before building anything", async () => {
    const before = tf.memory().numTensors;
    await expect(recordedTrial({ settings: { d_model: 100, heads: 3 } })).rejects.toThrow(
      new TrialConfigError(["d_model 100 is not divisible by heads 3"]),
    );
    await expect(
      recordedTrial({ objective: { metric: "val_accuracy", direction: "maximize" } }),
    ).rejects.toThrow(TrialConfigError);
    await expect(recordedTrial({ settings: { ...tiny, seq_len: 1000 } })).rejects.toThrow(
      "the dataset does not suit these settings: the validation text has 600 tokens, fewer than the 1001 (seq_len + 1) one window needs: use a shorter seq_len or more data",
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("trains a classifier on labelled JSONL and reports its accuracy", async () => {
    // Label "x" when the text contains an x: learnable by mean pooling.
    const random = new Random(5);
    const lines = Array.from({ length: 80 }, () => {
      const letters = Array.from({ length: random.int(4, 12) }, () => random.choice([..."abcde"]));
      const hasX = random.next() < 0.5;
      if (hasX) letters[random.int(0, letters.length - 1)] = "x";
      return JSON.stringify({ text: letters.join(""), label: hasX ? "x" : "none" });
    });
    const dataset = parseDataset(new TextEncoder().encode(lines.join("\n")), { format: "jsonl" });
    const run = await recordedTrial({
      task: "classification",
      dataset,
      settings: { ...tiny, eval_every: 10, validation_fraction: 0.25 },
      budget: { steps: 30 },
      objective: { metric: "val_accuracy", direction: "maximize" },
    });
    expect(run.outcome.reason).toBe("budget");
    expect(run.evals.map((e) => e.step)).toEqual([10, 20, 30]);
    const accuracies = run.evals.map((e) => e.accuracy ?? Number.NaN);
    expect(run.outcome.metrics.val_accuracy).toBe(accuracies.at(-1));
    for (const accuracy of accuracies) expect(accuracy).toBeGreaterThanOrEqual(0);
    // The best checkpoint follows the objective: the first evaluation, then each higher accuracy.
    const higher = run.evals.filter((e, i) =>
      accuracies.slice(0, i).every((a) => a < (e.accuracy ?? 0)),
    );
    expect(run.bests).toEqual(higher.map((e) => e.step));
    // About half the texts have an x; the baseline is the commoner label's share of validation.
    const [baseline] = run.baselines;
    expect(baseline?.baseline_val_accuracy).toBeGreaterThanOrEqual(0.5);
    expect(baseline?.baseline_val_accuracy).toBeLessThan(0.75);
    expect(baseline?.baseline_val_loss).toBeCloseTo(Math.log(2), 1);
  });
});
