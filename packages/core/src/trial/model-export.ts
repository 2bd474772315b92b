/**
 * A trial's model as a Hugging Face folder that other tools load: config.json, model.safetensors,
 * generation_config.json, the tokenizer's files, and a model card (README.md) saying which study and
 * trial it comes from, the settings it trained with and the metrics it reached. A LoRA trial's
 * model is its adapters merged into the base's weights, or (format "peft") the adapters alone in
 * PEFT's layout (adapter_config.json, adapter_model.safetensors) for PEFT to load onto the base.
 */
import { tokenizerFolderFiles } from "../data/model-tokenizer.ts";
import { type Tokenizer, tokenizerFromJSON } from "../data/tokenizers.ts";
import { disposeGPT } from "../model/gpt.ts";
import type { ModelFiles } from "../model/hf-folder.ts";
import { exportHuggingFaceModel } from "../model/hf-model.ts";
import { mergeLora } from "../model/lora.ts";
import { exportPeftLora } from "../model/peft-lora.ts";
import { checkpointConfigs } from "../train/checkpoint.ts";
import { disposeWithBase } from "../train/finetune.ts";
import { restoreTrialCheckpoint } from "./base-model.ts";
import type { TrialTask } from "./settings.ts";

/** The whole model (a LoRA trial's adapters merged), or a LoRA trial's adapters alone. */
export const modelExportFormats = ["merged", "peft"] as const;
export type ModelExportFormat = (typeof modelExportFormats)[number];

/** Where an exported model comes from, for its model card. */
export interface ModelProvenance {
  study: { id: string; name: string };
  /** The study's model (by name), which the trial started from; none when it trained from scratch. */
  baseModel?: string;
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
  format: ModelExportFormat = "merged",
): Promise<ModelFolder> {
  const folder =
    format === "peft"
      ? await checkpointAdapterFolder(checkpoint, provenance.baseModel, baseFiles)
      : await checkpointModelFolder(checkpoint, baseFiles);
  folder.set("README.md", new TextEncoder().encode(modelCard(provenance, format)));
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
    return withTokenizerFiles(folder, tokenizer);
  } finally {
    if (finetuned) disposeGPT(plain);
    disposeWithBase(restored.model);
    restored.optimizer.dispose();
  }
}

/**
 * Why a checkpoint's adapters cannot be exported alone in PEFT's layout, or undefined when they
 * can: only a LoRA trial that started from a study's model has adapters some base outside Attune
 * takes.
 */
export function adapterExportRefusal(
  checkpoint: Uint8Array,
  baseModel: string | undefined,
): string | undefined {
  const { mode } = checkpointConfigs(checkpoint).finetune;
  if (mode !== "lora") {
    return `the checkpoint trained with finetune: ${mode}, not lora, so it has no adapters to export alone: export it merged`;
  }
  if (baseModel === undefined) {
    return "the checkpoint's adapters adapt random weights, not a study's model, so no base outside Attune takes them: export it merged";
  }
  return undefined;
}

/**
 * A LoRA checkpoint's adapters alone in PEFT's layout (peft-lora.ts), adapter_config.json naming
 * `baseModel` as base_model_name_or_path, with its tokenizer's files. Refuses, saying why, a
 * checkpoint adapterExportRefusal refuses.
 */
export async function checkpointAdapterFolder(
  checkpoint: Uint8Array,
  baseModel: string | undefined,
  baseFiles: () => Promise<ModelFiles | undefined>,
): Promise<ModelFolder> {
  const refusal = adapterExportRefusal(checkpoint, baseModel);
  if (refusal !== undefined || baseModel === undefined) throw new Error(refusal);
  const restored = await restoreTrialCheckpoint(checkpoint, baseFiles);
  const { finetune } = checkpointConfigs(checkpoint);
  try {
    const folder = exportPeftLora(restored.model, {
      baseModelNameOrPath: baseModel,
      useRslora: finetune.mode === "lora" && finetune.lora.rslora,
    });
    return withTokenizerFiles(folder, restored.tokenizer && tokenizerFromJSON(restored.tokenizer));
  } finally {
    disposeWithBase(restored.model);
    restored.optimizer.dispose();
  }
}

function withTokenizerFiles(folder: ModelFolder, tokenizer: Tokenizer | undefined) {
  if (tokenizer)
    for (const [name, bytes] of tokenizerFolderFiles(tokenizer)) folder.set(name, bytes);
  return folder;
}

/**
 * The model card: Hugging Face's YAML metadata (library, base model for adapters, pipeline, tags),
 * then what the model is, where it comes from, and tables of its settings and metrics.
 */
export function modelCard(
  { study, baseModel, trial, checkpoint, task, settings, metrics }: ModelProvenance,
  format: ModelExportFormat = "merged",
) {
  const rows = (entries: [string, unknown][]) =>
    entries.map(([name, value]) => `| ${name} | ${markdownCell(value)} |`).join("\n");
  const adapters = format === "peft";
  // JSON strings are YAML strings: a model name of any characters stays one value.
  const metadata = adapters
    ? `library_name: peft\nbase_model: ${JSON.stringify(baseModel)}`
    : "library_name: transformers";
  const what = adapters
    ? `LoRA adapters for the model "${markdownCell(baseModel)}", in PEFT's layout,`
    : "A GPT";
  const loading = adapters
    ? `\nLoad them onto their base with PEFT: \`PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), folder)\`, the base being the model "${markdownCell(baseModel)}" as a Hugging Face folder.\n`
    : "";
  return `---
${metadata}
pipeline_tag: text-generation
tags:
- attune
- ${task}
---

# ${markdownCell(study.name)}, trial ${trial.number}${adapters ? " (LoRA adapters)" : ""}

${what} trained by Attune in study "${markdownCell(study.name)}" (\`${study.id}\`), trial ${trial.number} (\`${trial.id}\`), task ${task}: its ${checkpoint.kind} checkpoint, at step ${checkpoint.step}.
${loading}
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
