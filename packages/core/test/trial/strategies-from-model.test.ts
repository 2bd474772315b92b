/**
 * Strategies that start from a pretrained model (a strategy run's `model`), as trials do: its
 * weights, architecture and tokenizer, fine-tuned as the settings say.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/data/corpora.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { createGPT, disposeGPT, type GPT } from "../../src/model/gpt.ts";
import type { ModelFiles } from "../../src/model/hf-folder.ts";
import type { Batch } from "../../src/train/evaluate.ts";
import { validationMetrics } from "../../src/train/evaluate.ts";
import { loadBaseWeights, readBaseModel } from "../../src/trial/base-model.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import { checkpointModelFolder } from "../../src/trial/model-export.ts";
import { runTrial, type TrialCheckpoint, trialSeeds } from "../../src/trial/run.ts";
import { buildTrialPlan } from "../../src/trial/settings.ts";
import { runBatchSizeSweep, runLrRangeTest, runStrategy } from "../../src/trial/strategies.ts";
import { parseStrategyRequest } from "../../src/trial/strategy-request.ts";
import { prepareData } from "../../src/trial/task-data.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

let text: TextDataset;
/** A tiny GPT-2 with a byte tokenizer, pretrained on the text: far below a random start's loss. */
let pretrained: ModelFiles;

beforeAll(async () => {
  const mobyDick = await loadCorpus("moby-dick");
  text = { format: "text", samples: [{ text: mobyDick.samples[0]?.text.slice(0, 6000) ?? "" }] };
  let last: TrialCheckpoint | undefined;
  await runTrial({
    task: "language-modelling",
    dataset: text,
    settings: { tokenizer: "byte", layers: 1, d_model: 16, heads: 2, seq_len: 32, lr: 3e-2 },
    budget: { steps: 60 },
    seed: 1,
    onCheckpoint: (checkpoint) => {
      last = checkpoint;
    },
  });
  pretrained = await checkpointModelFolder(last?.bytes as Uint8Array);
});

/** LoRA on the pretrained model, in windows shorter than its context. */
const lora = { finetune: "lora", lora_r: 2, seq_len: 16, batch_size: 4 };

/** A trial's plan from the pretrained model with the LoRA settings. */
function planFromModel(steps: number) {
  return buildTrialPlan(lora, {
    task: "language-modelling",
    dataset: text,
    budget: { steps },
    baseModel: readBaseModel(pretrained),
  });
}

/** A model's mean loss on some batches; the model is freed. */
function lossOn(model: GPT, batches: Batch[]): number {
  const { loss } = validationMetrics(model, batches);
  disposeGPT(model);
  return loss;
}

describe("an LR range test from a pretrained model", () => {
  it("starts from the model's weights and tokenizer: its first loss is the model's", async () => {
    const seed = 3;
    const before = tf.memory().numTensors;
    const result = await runLrRangeTest(
      { task: "language-modelling", dataset: text, settings: lora, seed, baseModel: pretrained },
      { minLr: 1e-4, maxLr: 1e-1, steps: 4 },
    );
    // The frozen base is freed with the adapters.
    expect(tf.memory().numTensors).toBe(before);

    // The batch the test trains on first, in the model's tokens.
    const plan = planFromModel(4);
    expect(plan.tokenizer.kind).toBe("hf");
    const seeds = trialSeeds(seed);
    const data = prepareData(plan, text, seeds.sampler);
    const batch = data.train.next();
    const modelLoss = lossOn(loadBaseWeights(pretrained, plan.model), [batch]);
    const randomLoss = lossOn(createGPT(plan.model, seeds.model), [batch]);
    // LoRA's B starts at zero: before its first update the adapted model is the model itself.
    expect(result.curve[0]?.loss).toBeCloseTo(modelLoss, 4);
    expect(modelLoss).toBeLessThan(randomLoss - 0.5);
  });

  it("runs from a request that names the model, given the model's files", async () => {
    const request = parseStrategyRequest("lr-range-test", {
      trial: lora,
      model: "tiny-gpt2",
      options: { minLr: 1e-4, maxLr: 1e-1, steps: 3 },
    });
    expect(request.model).toBe("tiny-gpt2");
    const result = await runStrategy(request, { dataset: text, baseModel: pretrained });
    expect("curve" in result && result.curve).toHaveLength(3);
    await expect(runStrategy(request, { dataset: text })).rejects.toThrow(
      'the strategy starts from model "tiny-gpt2", but was given none of its files',
    );
  });
});

describe("a batch-size sweep from a pretrained model", () => {
  it("trains each candidate from the model: every loss stays the model's own", async () => {
    const result = await runBatchSizeSweep(
      { task: "language-modelling", dataset: text, settings: lora, seed: 5, baseModel: pretrained },
      { batchSizes: [2, 4], tokenBudget: 16 * 4 * 2, scaling: "sqrt" },
    );
    // Two to four LoRA steps at a small LR barely move the model.
    const plan = planFromModel(2);
    const { validation } = prepareData(plan, text, trialSeeds(5).sampler);
    const modelLoss = lossOn(loadBaseWeights(pretrained, plan.model), validation);
    for (const point of result.curve) expect(point.loss).toBeCloseTo(modelLoss, 1);
  });
});

describe("a strategy request that names a model", () => {
  it("refuses trial settings the model decides, and classification", () => {
    const problems = (settings: unknown) => {
      try {
        parseStrategyRequest("lr-range-test", settings);
      } catch (error) {
        expect(error).toBeInstanceOf(TrialConfigError);
        return (error as TrialConfigError).problems;
      }
      throw new Error("no problems found");
    };
    expect(
      problems({ model: "gpt2", trial: { d_model: 64, tokenizer: "char", lr: 1e-3 } }),
    ).toEqual([
      expect.stringMatching(/^trial\.d_model: "d_model" comes from the model "gpt2"/),
      expect.stringMatching(/^trial\.tokenizer: "tokenizer" comes from the model "gpt2"/),
    ]);
    expect(problems({ model: "gpt2", task: "classification" })).toEqual([
      expect.stringMatching(/^model: task classification cannot start from a pretrained model/),
    ]);
    // Without a model, the settings are the architecture's.
    expect(parseStrategyRequest("lr-range-test", { trial: { d_model: 64 } }).model).toBeUndefined();
  });
});
