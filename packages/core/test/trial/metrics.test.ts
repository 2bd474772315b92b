import { describe, expect, it } from "vitest";
import { parameterCount, parseConfig, trainingFlopsPerToken } from "../../src/model/config.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import { isEvaluationMetric, objectiveMetrics } from "../../src/trial/metric-definitions.ts";
import {
  baselineMetrics,
  checkObjectives,
  evaluationMetrics,
  modelMetrics,
  objectiveValue,
  stepMetrics,
} from "../../src/trial/metrics.ts";

describe("trial metrics", () => {
  it("name the trainer's reports by key", () => {
    expect(
      stepMetrics({
        step: 3,
        tokensSeen: 192,
        trainLoss: 2.5,
        learningRate: 1e-3,
        gradNorm: 0.7,
        tokensPerSecond: 5000,
      }),
    ).toEqual({ train_loss: 2.5, lr: 1e-3, grad_norm: 0.7, tokens_per_s: 5000 });
    const growing = {
      step: 3,
      tokensSeen: 192,
      trainLoss: 2.5,
      learningRate: 1e-3,
      gradNorm: 0.7,
      tokensPerSecond: 5000,
      batchSize: 12,
    };
    expect(stepMetrics(growing)).toMatchObject({ effective_batch_size: 12 });
    expect(stepMetrics(growing)).not.toHaveProperty("noise_scale");
    expect(stepMetrics({ ...growing, noiseScale: 20.5 })).toMatchObject({ noise_scale: 20.5 });
    expect(
      evaluationMetrics({ step: 3, tokensSeen: 192, validationLoss: 2, perplexity: 7.39 }),
    ).toEqual({
      val_loss: 2,
      val_perplexity: 7.39,
    });
    expect(
      evaluationMetrics({
        step: 3,
        tokensSeen: 192,
        validationLoss: 2,
        perplexity: 7.39,
        accuracy: 0.5,
      }),
    ).toMatchObject({ val_accuracy: 0.5 });
    const config = parseConfig({ vocabSize: 20, seqLen: 8, layers: 1, dModel: 16, heads: 2 });
    expect(modelMetrics(config)).toEqual({
      param_count: parameterCount(config),
      flops_per_token: trainingFlopsPerToken(config),
    });
  });

  it("score the validation targets' frequencies as a baseline, every target weighing the same", () => {
    // Targets 1 1 1 2 | 3 3: p = 3/6, 1/6, 2/6.
    const tokens = [
      { inputs: new Int32Array(4), targets: Int32Array.from([1, 1, 1, 2]), batchSize: 2 },
      { inputs: new Int32Array(2), targets: Int32Array.from([3, 3]), batchSize: 1 },
    ];
    const entropy = -(0.5 * Math.log(0.5) + (1 / 6) * Math.log(1 / 6) + (1 / 3) * Math.log(1 / 3));
    expect(entropy).toBeCloseTo(1.0114042647, 9);
    const baseline = baselineMetrics(tokens);
    expect(Object.keys(baseline)).toEqual(["baseline_val_loss"]);
    expect(baseline.baseline_val_loss).toBeCloseTo(entropy, 12);

    // Labels 0 0 0 | 1: the commonest is 3 of 4; the loss of predicting 3/4, 1/4 is
    // -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.5623351446.
    const classification = (labels: number[]) => ({
      inputs: new Int32Array(labels.length * 2),
      mask: new Float32Array(labels.length * 2).fill(1),
      lengths: new Int32Array(labels.length).fill(2),
      labels: Int32Array.from(labels),
      batchSize: labels.length,
    });
    const labelled = baselineMetrics([classification([0, 0, 0]), classification([1])]);
    expect(labelled.baseline_val_loss).toBeCloseTo(0.5623351446, 9);
    expect(labelled.baseline_val_accuracy).toBe(0.75);
  });

  it("allow as objectives the keys measured at evaluations or at the end", () => {
    expect([...objectiveMetrics].sort()).toEqual([
      "accuracy",
      "bleu",
      "chrf",
      "chrf_pp",
      "exact_match",
      "flops_per_token",
      "macro_f1",
      "param_count",
      "rouge1",
      "rouge2",
      "rougeL",
      "token_f1",
      "tokens_per_s",
      "val_accuracy",
      "val_loss",
      "val_perplexity",
    ]);
    expect(isEvaluationMetric("chrf")).toBe(true);
    expect(isEvaluationMetric("val_perplexity")).toBe(true);
    expect(isEvaluationMetric("param_count")).toBe(false);
    expect(() =>
      checkObjectives(
        [
          { metric: "val_loss", direction: "minimize" },
          { metric: "param_count", direction: "minimize" },
        ],
        "language-modelling",
      ),
    ).not.toThrow();
  });

  it("reject objectives that trials of the task do not report", () => {
    const check = (metric: string) => () =>
      checkObjectives([{ metric, direction: "maximize" }], "language-modelling");
    expect(check("val_acc")).toThrow(TrialConfigError);
    expect(check("val_acc")).toThrow(
      'objective metric "val_acc" is not one trials report at evaluations or at the end (use one of val_loss, val_accuracy, val_perplexity, tokens_per_s, param_count, flops_per_token, exact_match, token_f1, rouge1, rouge2, rougeL, bleu, chrf, chrf_pp, accuracy, macro_f1)',
    );
    expect(check("train_loss")).toThrow(/objective metric "train_loss" is not one/);
    expect(check("val_accuracy")).toThrow(
      'objective metric "val_accuracy" is reported only by classification trials, this one is language-modelling',
    );
  });

  it("accept the generation metrics as objectives of instruction and dialogue trials only", () => {
    const chrf = [{ metric: "chrf", direction: "maximize" as const }];
    expect(() => checkObjectives(chrf, "instruction")).not.toThrow();
    expect(() => checkObjectives(chrf, "dialogue")).not.toThrow();
    for (const task of ["language-modelling", "classification"] as const) {
      expect(() => checkObjectives(chrf, task)).toThrow(
        `objective metric "chrf" is reported only by instruction and dialogue trials, this one is ${task}`,
      );
    }
  });

  it("extract an objective's value from a trial's metrics", () => {
    const metrics = { val_loss: 1.5, param_count: 1000, train_loss: 1.2 };
    expect(objectiveValue("val_loss", metrics)).toBe(1.5);
    expect(objectiveValue("param_count", metrics)).toBe(1000);
    expect(() => objectiveValue("val_accuracy", metrics)).toThrow(
      'the trial has no "val_accuracy" value yet (it has val_loss, param_count, train_loss)',
    );
    expect(() => objectiveValue("train_loss", metrics)).toThrow(
      '"train_loss" is not an objective metric',
    );
  });
});
