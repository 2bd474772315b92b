/**
 * Trials that start from a pretrained model (a study's `model`): its architecture, weights and
 * tokenizer are the trial's, whatever the settings say, and its context bounds the windows.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenizerFolderFiles } from "../../src/data/model-tokenizer.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";
import { createGPT, disposeGPT, type GPT, languageModelLogits } from "../../src/model/gpt.ts";
import { exportHuggingFaceModel, importHuggingFaceModel } from "../../src/model/hf-model.ts";
import { importPeftLora } from "../../src/model/peft-lora.ts";
import { loadCheckpoint } from "../../src/train/checkpoint.ts";
import { disposeWithBase } from "../../src/train/finetune.ts";
import { loadBaseWeights, readBaseModel } from "../../src/trial/base-model.ts";
import {
  adapterExportRefusal,
  checkpointModelFolder,
  exportTrialModel,
  type ModelProvenance,
} from "../../src/trial/model-export.ts";
import { runTrial, type TrialCheckpoint } from "../../src/trial/run.ts";
import { buildTrialPlan } from "../../src/trial/settings.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

/** A "pretrained" GPT-2 of 32 positions with a byte tokenizer, as a Hugging Face folder. */
function pretrainedFolder(): Map<string, Uint8Array> {
  const model = createGPT({ vocabSize: 257, seqLen: 32, layers: 1, dModel: 16, heads: 2 }, 9);
  const files = exportHuggingFaceModel(model, { bosTokenId: 256, eosTokenId: 256 });
  disposeGPT(model);
  for (const [name, bytes] of tokenizerFolderFiles(createTokenizer("byte"))) files.set(name, bytes);
  return files;
}

const text: TextDataset = {
  format: "text",
  samples: [{ text: "the quick brown fox jumps over the lazy dog. ".repeat(40) }],
};
let folder: Map<string, Uint8Array>;
beforeAll(() => {
  folder = pretrainedFolder();
});

async function trial(settings: Record<string, string | number | boolean>) {
  const checkpoints: TrialCheckpoint[] = [];
  const outcome = await runTrial({
    task: "language-modelling",
    dataset: text,
    settings: { seq_len: 16, batch_size: 4, lr: 1e-2, eval_every: 3, ...settings },
    budget: { steps: 6 },
    seed: 4,
    baseModel: folder,
    checkpointEvery: 3,
    onCheckpoint: (checkpoint) => {
      checkpoints.push(checkpoint);
    },
  });
  return { outcome, checkpoints };
}

describe("a trial from a pretrained model", () => {
  it("takes the model's architecture and tokenizer, not the settings'", () => {
    const plan = buildTrialPlan(
      { seq_len: 16, d_model: 128, layers: 4, tokenizer: "char", dropout: 0.2 },
      {
        task: "language-modelling",
        dataset: text,
        budget: { steps: 1 },
        baseModel: readBaseModel(folder),
      },
    );
    expect(plan.tokenizer.kind).toBe("hf");
    expect(plan.tokenizer.vocabSize).toBe(257);
    expect(plan.model).toMatchObject({ dModel: 16, layers: 1, seqLen: 32, dropout: 0.2 });
    expect(plan.seqLen).toBe(16);
  });

  it("refuses windows past the model's context, and classification", () => {
    const context = {
      task: "language-modelling" as const,
      dataset: text,
      budget: { steps: 1 },
      baseModel: readBaseModel(folder),
    };
    expect(() => buildTrialPlan({ seq_len: 64 }, context)).toThrow(
      /seq_len 64 exceeds the model's context of 32 positions/,
    );
    const labelled: TextDataset = {
      format: "jsonl",
      samples: [
        { text: "a", label: "x" },
        { text: "b", label: "y" },
      ],
      labels: ["x", "y"],
    };
    expect(() =>
      buildTrialPlan({ seq_len: 16 }, { ...context, task: "classification", dataset: labelled }),
    ).toThrow(/cannot start from a pretrained model/);
  });

  it("fine-tunes it fully: the export has the model's shape and moved weights", async () => {
    const { outcome, checkpoints } = await trial({});
    expect(outcome.step).toBe(6);
    const last = checkpoints.at(-1)?.bytes as Uint8Array;
    const exported = importHuggingFaceModel(await checkpointModelFolder(last));
    const original = importHuggingFaceModel(folder);
    expect(exported.config).toMatchObject({ vocabSize: 257, seqLen: 32, dModel: 16 });
    const moved = tf.tidy(
      () =>
        tf
          .sub(
            exported.parameters.get("tokenEmbedding") as tf.Tensor,
            original.parameters.get("tokenEmbedding") as tf.Tensor,
          )
          .abs()
          .max()
          .dataSync()[0],
    );
    expect(moved).toBeGreaterThan(0);
    disposeGPT(exported);
    disposeGPT(original);
  });

  it("fine-tunes it with LoRA: the checkpoint holds the adapters and loads on the model", async () => {
    const { outcome, checkpoints } = await trial({ finetune: "lora", lora_r: 2 });
    expect(outcome.step).toBe(6);
    const bytes = checkpoints.at(-1)?.bytes as Uint8Array;
    // Its base is the study's model, not random weights: loading needs it.
    expect(() => loadCheckpoint(bytes)).toThrow(/needs its base model/);
    const restored = loadCheckpoint(bytes, undefined, loadBaseWeights(folder));
    expect([...restored.model.parameters.keys()].every((name) => name.includes("lora"))).toBe(true);
    disposeWithBase(restored.model);
    restored.optimizer.dispose();
  });

  it("exports a LoRA trial's adapters alone in PEFT's layout, which give its logits on the model", async () => {
    const { checkpoints } = await trial({ finetune: "lora", lora_r: 2, lora_targets: "all" });
    const bytes = checkpoints.at(-1)?.bytes as Uint8Array;
    const provenance: ModelProvenance = {
      study: { id: "s1", name: "tuning" },
      baseModel: "pretrained-gpt2",
      trial: { id: "t1", number: 3 },
      checkpoint: { kind: "last", step: 6 },
      task: "language-modelling",
      settings: { finetune: "lora" },
      metrics: {},
    };
    const files = await exportTrialModel(bytes, provenance, async () => folder, "peft");
    expect([...files.keys()].sort()).toEqual(
      [
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
        ...tokenizerFolderFiles(createTokenizer("byte")).keys(),
      ].sort(),
    );
    const config = JSON.parse(new TextDecoder().decode(files.get("adapter_config.json")));
    expect(config).toMatchObject({ base_model_name_or_path: "pretrained-gpt2", r: 6 });
    const card = new TextDecoder().decode(files.get("README.md"));
    expect(card).toMatch(/^---\nlibrary_name: peft\nbase_model: "pretrained-gpt2"\n/);
    expect(card).toContain('LoRA adapters for the model "pretrained-gpt2"');

    const restored = loadCheckpoint(bytes, undefined, loadBaseWeights(folder));
    const imported = importPeftLora(loadBaseWeights(folder), files);
    const tokens = Int32Array.from({ length: 16 }, (_, i) => (i * 11) % 257);
    const logitsOf = (model: GPT) =>
      tf.tidy(() => [...languageModelLogits(model, tokens, 1).dataSync()]);
    const [expected, actual] = [logitsOf(restored.model), logitsOf(imported)];
    const worst = expected.reduce((max, x, i) => Math.max(max, Math.abs(x - (actual[i] ?? 0))), 0);
    expect(worst).toBeLessThan(1e-5);
    disposeWithBase(restored.model);
    disposeWithBase(imported);
    restored.optimizer.dispose();

    expect(adapterExportRefusal(bytes, undefined)).toMatch(/adapt random weights/);
    const full = (await trial({})).checkpoints.at(-1)?.bytes as Uint8Array;
    await expect(exportTrialModel(full, provenance, async () => folder, "peft")).rejects.toThrow(
      /trained with finetune: full, not lora, so it has no adapters to export alone/,
    );
  });
});
