/**
 * A thread's kept base (trial/shared-base.ts): LoRA and freeze trials of one model share its
 * weights and train exactly as with a base of their own, leave it bit-identical and undisposed,
 * and a full fine-tuning trial takes it over.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenizerFolderFiles } from "../../src/data/model-tokenizer.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";
import { createGPT, disposeGPT, type GPT } from "../../src/model/gpt.ts";
import { exportHuggingFaceModel } from "../../src/model/hf-model.ts";
import type { StepReport } from "../../src/train/trainer.ts";
import { loadBaseWeights } from "../../src/trial/base-model.ts";
import { runTrial, type TrialCheckpoint } from "../../src/trial/run.ts";
import { BaseCache } from "../../src/trial/shared-base.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const text: TextDataset = {
  format: "text",
  samples: [{ text: "the quick brown fox jumps over the lazy dog. ".repeat(40) }],
};
const lora = { finetune: "lora", lora_r: 2, lora_dropout: 0.1, dropout: 0.1 };
const freeze = { finetune: "freeze", freeze_trainable_blocks: 1 };
const CONTENT_HASH = "folder-sha256";

let folder: Map<string, Uint8Array>;
beforeAll(() => {
  const model = createGPT({ vocabSize: 257, seqLen: 32, layers: 2, dModel: 16, heads: 2 }, 9);
  folder = exportHuggingFaceModel(model, { bosTokenId: 256, eosTokenId: 256 });
  disposeGPT(model);
  for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte")))
    folder.set(name, bytes);
});

async function trial(
  settings: Record<string, string | number>,
  cache?: BaseCache,
  resumeFrom?: Uint8Array,
) {
  const losses: number[] = [];
  const checkpoints: TrialCheckpoint[] = [];
  await runTrial({
    task: "language-modelling",
    dataset: text,
    settings: { seq_len: 16, batch_size: 4, lr: 1e-2, eval_every: 3, ...settings },
    budget: { steps: 6 },
    seed: 4,
    baseModel: folder,
    checkpointEvery: 3,
    ...(cache && { baseCache: { cache, contentHash: CONTENT_HASH } }),
    ...(resumeFrom && { resumeFrom }),
    onStep: (report: StepReport) => {
      losses.push(report.trainLoss);
    },
    onCheckpoint: (checkpoint) => {
      checkpoints.push(checkpoint);
    },
  });
  return { losses, checkpoints };
}

/** The kept base, which must not be built again (that would mean it was not kept). */
function keptBase(cache: BaseCache): GPT {
  const notKept = (): GPT => {
    throw new Error("the base was not kept");
  };
  return cache.start(CONTENT_HASH, { mode: "lora", lora: loraConfig }, notKept).shared as GPT;
}
const loraConfig = { rank: 2, alpha: 4, dropout: 0, targets: ["query" as const], rslora: false };

function values(model: GPT): Float32Array[] {
  return [...model.parameters.values()].map((variable) => variable.dataSync() as Float32Array);
}

describe("a base kept between trials", () => {
  it("survives LoRA and freeze trials bit-identical, and gives them the losses of their own base", async () => {
    const cache = new BaseCache();
    const ownLora = await trial(lora);
    const ownFreeze = await trial(freeze);
    const before = tf.memory().numTensors;

    const first = await trial(lora, cache);
    const kept = keptBase(cache);
    const keptValues = values(kept);
    const fromFolder = loadBaseWeights(folder);
    expect(keptValues).toEqual(values(fromFolder));
    disposeGPT(fromFolder);
    // Only the kept base outlives the trial.
    expect(tf.memory().numTensors).toBe(before + kept.parameters.size);

    const second = await trial({ ...lora, dropout: 0 }, cache);
    const frozen = await trial(freeze, cache);
    expect(keptBase(cache)).toBe(kept);
    expect([...kept.parameters.values()].some((variable) => variable.isDisposed)).toBe(false);
    expect(values(kept)).toEqual(keptValues);
    expect(tf.memory().numTensors).toBe(before + kept.parameters.size);

    expect(first.losses).toEqual(ownLora.losses);
    expect(frozen.losses).toEqual(ownFreeze.losses);
    expect(second.losses).toEqual((await trial({ ...lora, dropout: 0 })).losses);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("resumes LoRA and freeze trials on it exactly", async () => {
    for (const settings of [lora, freeze]) {
      const cache = new BaseCache();
      const straight = await trial(settings, cache);
      const atStep3 = straight.checkpoints.find((c) => c.kind === "last" && c.step === 3);
      const resumed = await trial(settings, cache, atStep3?.bytes);
      expect(resumed.losses).toEqual(straight.losses.slice(3));
      cache.dispose();
    }
  });

  it("is taken over by a full fine-tuning trial, which trains it as its own", async () => {
    const own = await trial({});
    const cache = new BaseCache();
    await trial(lora, cache);
    const before = tf.memory().numTensors;
    const full = await trial({}, cache);
    expect(full.losses).toEqual(own.losses);
    // The trial disposed the base it trained: nothing is kept.
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(() => keptBase(cache)).toThrow(/not kept/);
  });
});
