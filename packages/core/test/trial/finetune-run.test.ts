/**
 * Fine-tuning modes in a trial: the settings' validation, and LoRA and freeze checkpoints, which
 * hold the trained weights alone and resume with exactly the losses of an uninterrupted run.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../../src/data/corpora.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { createGPT, disposeGPT, languageModelLogits } from "../../src/model/gpt.ts";
import { importHuggingFaceModel } from "../../src/model/hf-model.ts";
import { Random } from "../../src/random.ts";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.ts";
import { disposeWithBase, finetuneModel } from "../../src/train/finetune.ts";
import { Optimizer } from "../../src/train/optimizers.ts";
import type { StepReport } from "../../src/train/trainer.ts";
import { checkpointModelFolder } from "../../src/trial/model-export.ts";
import { runTrial, type TrialCheckpoint } from "../../src/trial/run.ts";
import { buildTrialPlan, type TrialSettingsInput } from "../../src/trial/settings.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const tiny = { layers: 2, d_model: 16, heads: 2, seq_len: 16, batch_size: 4, lr: 1e-2 };

let text: TextDataset;
beforeAll(async () => {
  const mobyDick = await loadCorpus("moby-dick");
  text = { format: "text", samples: [{ text: mobyDick.samples[0]?.text.slice(0, 6000) ?? "" }] };
});

async function trial(settings: TrialSettingsInput, resumeFrom?: Uint8Array) {
  const steps: StepReport[] = [];
  const checkpoints: TrialCheckpoint[] = [];
  const outcome = await runTrial({
    task: "language-modelling",
    dataset: text,
    settings,
    budget: { steps: 6 },
    seed: 1,
    checkpointEvery: 3,
    ...(resumeFrom && { resumeFrom }),
    onStep: (report) => {
      steps.push(report);
    },
    onCheckpoint: (checkpoint) => {
      checkpoints.push(checkpoint);
    },
  });
  return { outcome, losses: steps.map((s) => s.trainLoss), checkpoints };
}

describe("fine-tuning settings", () => {
  const plan = (settings: TrialSettingsInput) =>
    buildTrialPlan(
      { ...tiny, ...settings },
      { task: "language-modelling", dataset: text, budget: { steps: 1 } },
    );

  it("become the trainer's plan", () => {
    expect(plan({}).finetune).toEqual({ mode: "full" });
    expect(
      plan({ finetune: "lora", lora_r: 4, lora_targets: "attention", lora_rslora: true }).finetune,
    ).toEqual({
      mode: "lora",
      lora: {
        rank: 4,
        alpha: 8,
        dropout: 0,
        targets: ["query", "key", "value", "attentionOutput"],
        rslora: true,
      },
    });
    expect(plan({ finetune: "freeze", freeze_trainable_blocks: 0 }).finetune).toEqual({
      mode: "freeze",
      trainableBlocks: 0,
    });
  });

  it("name the setting that is wrong", () => {
    expect(() => plan({ finetune: "lora", lora_r: 0 })).toThrow(/lora_r/);
    expect(() => plan({ lora_targets: "query+bias" })).toThrow(/lora_targets/);
    expect(() => plan({ lora_dropout: 1 })).toThrow(/lora_dropout/);
    expect(() => plan({ finetune: "freeze", freeze_trainable_blocks: 3 })).toThrow(
      /freeze_trainable_blocks 3 exceeds the model's 2 layers/,
    );
  });
});

describe.each([
  ["lora", { finetune: "lora", lora_r: 2, lora_dropout: 0.1, dropout: 0.1 }],
  ["freeze", { finetune: "freeze", freeze_trainable_blocks: 1 }],
])("a %s trial", (mode, settings) => {
  it("checkpoints its trained weights alone and resumes exactly", async () => {
    const all = { ...tiny, ...settings };
    const straight = await trial(all);
    const atStep3 = straight.checkpoints.find((c) => c.kind === "last" && c.step === 3);
    expect(atStep3).toBeDefined();
    const full = await trial(tiny);
    const fullBytes = full.checkpoints[0]?.bytes.length ?? 0;
    expect(atStep3?.bytes.length).toBeLessThan(fullBytes * (mode === "lora" ? 0.2 : 0.8));

    const before = tf.memory().numTensors;
    const resumed = await trial(all, atStep3?.bytes);
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.losses).toEqual(straight.losses.slice(3));
  });

  it("loads alone, rebuilding its random base from the seed, and exports merged; refuses another base", async () => {
    const { checkpoints } = await trial({ ...tiny, ...settings });
    const bytes = checkpoints[0]?.bytes as Uint8Array;
    const restored = loadCheckpoint(bytes);
    const tokens = Int32Array.from(
      { length: 16 },
      (_, i) => (i * 7) % restored.model.config.vocabSize,
    );
    const logits = tf.tidy(() => [...languageModelLogits(restored.model, tokens, 1).dataSync()]);
    const exported = importHuggingFaceModel(await checkpointModelFolder(bytes));
    const exportedLogits = tf.tidy(() => [...languageModelLogits(exported, tokens, 1).dataSync()]);
    const worst = logits.reduce(
      (max, x, i) => Math.max(max, Math.abs(x - (exportedLogits[i] ?? 0))),
      0,
    );
    expect(worst).toBeLessThan(1e-4);
    disposeGPT(exported);
    disposeWithBase(restored.model);
    restored.optimizer.dispose();

    const plan = buildTrialPlan(
      { ...tiny, ...settings },
      { task: "language-modelling", dataset: text, budget: { steps: 1 } },
    );
    const other = createGPT(plan.model, 12345);
    expect(() => loadCheckpoint(bytes, undefined, other)).toThrow(
      /the base model given is not this checkpoint's/,
    );
    disposeGPT(other);
  });

  it("of a pretrained base (no seed) refuses to load without it", async () => {
    const plan = buildTrialPlan(
      { ...tiny, ...settings },
      { task: "language-modelling", dataset: text, budget: { steps: 1 } },
    );
    const model = finetuneModel(createGPT(plan.model, 3), plan.finetune, 3);
    const optimizer = new Optimizer(plan.optimizer, model.parameters);
    const bytes = await saveCheckpoint({
      model,
      optimizer,
      trainer: { step: 0, tokensSeen: 0, random: new Random(0).getState(), initialLoss: undefined },
      sampler: null,
      finetune: plan.finetune,
    });
    disposeWithBase(model);
    optimizer.dispose();
    expect(() => loadCheckpoint(bytes)).toThrow(/needs its base model \(frozen weights' SHA-256/);
  });
});
