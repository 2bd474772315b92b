/**
 * Hugging Face checkpoints of either architecture core's GPT expresses: GPT-2 (hf-gpt2.ts) and
 * Llama (hf-llama.ts), chosen by config.json's model_type on import and by the model's
 * architecture on export.
 */
import { type ModelFiles, readJsonFile } from "./hf-folder.ts";
import { exportHuggingFaceGPT2, importHuggingFaceGPT2 } from "./hf-gpt2.ts";
import { gpt2Problems } from "./hf-gpt2-config.ts";
import { exportHuggingFaceLlama, importHuggingFaceLlama } from "./hf-llama.ts";
import { llamaProblems } from "./hf-llama-config.ts";
import type { GenerationTokens } from "./hf-tensors.ts";
import type { GPT } from "./weights.ts";

const importers: Record<string, (files: ModelFiles) => GPT> = {
  gpt2: importHuggingFaceGPT2,
  llama: importHuggingFaceLlama,
};

/** Reads a Hugging Face GPT-2 or Llama folder (see the two importers) into core's GPT. */
export function importHuggingFaceModel(files: ModelFiles): GPT {
  const json = readJsonFile(files, "config.json", "the model's architecture") as {
    model_type?: unknown;
    attention_types?: unknown;
  };
  const modelType = json?.model_type;
  const importer = typeof modelType === "string" ? importers[modelType] : undefined;
  if (importer === undefined) {
    const localAttention =
      json?.attention_types === undefined
        ? ""
        : "; attention_types: GPT-Neo's local attention is not expressible: the model attends to every position";
    throw new Error(
      `config.json is not an importable model: model_type ${JSON.stringify(modelType)} is ` +
        `not one of ${Object.keys(importers).join(", ")}${localAttention}`,
    );
  }
  return importer(files);
}

/**
 * Writes core's GPT as a Hugging Face folder of the architecture that expresses it: GPT-2 or
 * Llama. Refuses, naming the config fields each would need changed, a model neither expresses.
 */
export function exportHuggingFaceModel(
  model: GPT,
  tokens: GenerationTokens = {},
): Map<string, Uint8Array> {
  const [gpt2, llama] = [gpt2Problems(model.config), llamaProblems(model.config)];
  if (gpt2.length === 0) return exportHuggingFaceGPT2(model, tokens);
  if (llama.length === 0) return exportHuggingFaceLlama(model, tokens);
  throw new Error(
    `this model is expressible neither as GPT-2 (${gpt2.join("; ")}) nor as Llama (${llama.join("; ")})`,
  );
}
