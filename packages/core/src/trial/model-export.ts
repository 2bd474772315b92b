/**
 * A trial's model as a Hugging Face folder that other tools load: config.json, model.safetensors,
 * generation_config.json, the tokenizer's files, and a model card (README.md) saying which study and
 * trial it comes from, the settings it trained with and the metrics it reached.
 */
import { tokenizerFolderFiles } from "../data/model-tokenizer.ts";
import { tokenizerFromJSON } from "../data/tokenizers.ts";
import { disposeGPT } from "../model/gpt.ts";
import type { ModelFiles } from "../model/hf-folder.ts";
import { exportHuggingFaceModel } from "../model/hf-model.ts";
import { mergeLora } from "../model/lora.ts";
import { disposeWithBase } from "../train/finetune.ts";
import { restoreTrialCheckpoint } from "./base-model.ts";
import type { TrialTask } from "./settings.ts";

/** Where an exported model comes from, for its model card. */
export interface ModelProvenance {
  study: { id: string; name: string };
  trial: { id: string; number: number };
  checkpoint: { kind: "best" | "last"; step: number };
  task: TrialTask;
  /** Every setting the trial trained with, defaults included. */
  settings: Readonly<Record<string, unknown>>;
  /** The trial's latest value of each metric. */
  metrics: Readonly<Record<string, number>>;
}

export type ModelFolder = Map<string, Uint8Array>;

/**
 * The folder of a trial's checkpoint, with the model card; `baseFiles` reads the study's model
 * when its trials start from one (see restoreTrialCheckpoint).
 */
export async function exportTrialModel(
  checkpoint: Uint8Array,
  provenance: ModelProvenance,
  baseFiles: () => Promise<ModelFiles | undefined> = async () => undefined,
): Promise<ModelFolder> {
  const folder = await checkpointModelFolder(checkpoint, baseFiles);
  folder.set("README.md", new TextEncoder().encode(modelCard(provenance)));
  return folder;
}

/**
 * A checkpoint's model as a Hugging Face folder of the architecture that expresses it (GPT-2 or
 * Llama) with its tokenizer's files; end-of-text begins and ends generations, as in GPT-2's configs.
 */
export async function checkpointModelFolder(
  checkpoint: Uint8Array,
  baseFiles: () => Promise<ModelFiles | undefined> = async () => undefined,
): Promise<ModelFolder> {
  const restored = await restoreTrialCheckpoint(checkpoint, baseFiles);
  // A LoRA or freeze model's parameters are only what it trained: its merged copy holds them all.
  const { finetuned } = restored;
  const plain = finetuned ? mergeLora(restored.model) : restored.model;
  try {
    const tokenizer = restored.tokenizer && tokenizerFromJSON(restored.tokenizer);
    const folder = exportHuggingFaceModel(plain, {
      bosTokenId: tokenizer?.endOfText,
      eosTokenId: tokenizer?.endOfText,
    });
    if (tokenizer)
      for (const [name, bytes] of tokenizerFolderFiles(tokenizer)) folder.set(name, bytes);
    return folder;
  } finally {
    if (finetuned) disposeGPT(plain);
    disposeWithBase(restored.model);
    restored.optimizer.dispose();
  }
}

/**
 * The model card: Hugging Face's YAML metadata (library, pipeline, tags), then what the model is,
 * where it comes from, and tables of its settings and metrics.
 */
export function modelCard({ study, trial, checkpoint, task, settings, metrics }: ModelProvenance) {
  const rows = (entries: [string, unknown][]) =>
    entries.map(([name, value]) => `| ${name} | ${markdownCell(value)} |`).join("\n");
  return `---
library_name: transformers
pipeline_tag: text-generation
tags:
- attune
- ${task}
---

# ${markdownCell(study.name)}, trial ${trial.number}

A GPT trained by Attune in study "${markdownCell(study.name)}" (\`${study.id}\`), trial ${trial.number} (\`${trial.id}\`), task ${task}: its ${checkpoint.kind} checkpoint, at step ${checkpoint.step}.

## Settings

| setting | value |
| --- | --- |
${rows(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)))}

## Metrics (latest values)

| metric | value |
| --- | --- |
${rows(Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b)))}
`;
}

/** A value as one table cell: JSON for anything but strings, pipes escaped, on one line. */
function markdownCell(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return (text ?? "").replaceAll("|", "\\|").replace(/\s*\n\s*/g, " ");
}
