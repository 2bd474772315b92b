/**
 * A pretrained model a trial starts from (a study's `model`): a Hugging Face folder of an
 * architecture core reads (GPT-2, Llama) with its tokenizer. Its architecture and tokenizer are the
 * trial's; its weights the start that fine-tuning (full, LoRA or freeze) changes.
 */
import { readModelTokenizer } from "../data/model-tokenizer.ts";
import type { Tokenizer } from "../data/tokenizers.ts";
import type { GPTConfig } from "../model/config.ts";
import { type ModelFiles, readJsonFile, readWeights } from "../model/hf-folder.ts";
import { huggingFaceLayout } from "../model/hf-model.ts";
import { loadGPT } from "../model/hf-tensors.ts";
import type { GPT } from "../model/weights.ts";
import { checkpointConfigs, loadCheckpoint, type RestoredCheckpoint } from "../train/checkpoint.ts";

export interface BaseModel {
  files: ModelFiles;
  /** The folder's config.json in core's terms. */
  config: GPTConfig;
  tokenizer: Tokenizer;
}

/** Reads a folder's config and tokenizer (the weights are read when the trial starts). */
export function readBaseModel(files: ModelFiles): BaseModel {
  const config = huggingFaceLayout(
    readJsonFile(files, "config.json", "the model's architecture"),
  ).config;
  return { files, config, tokenizer: readModelTokenizer(files, config.vocabSize) };
}

/** The base's weights in a GPT of `config`: the base's own, with the trial's dropout. */
export function loadBaseWeights(base: BaseModel, config: GPTConfig): GPT {
  const json = readJsonFile(base.files, "config.json", "the model's architecture");
  return loadGPT({ ...huggingFaceLayout(json), config }, readWeights(base.files));
}

/**
 * A trial's checkpoint restored for reading (generation, export). A LoRA or freeze checkpoint holds
 * only what it trained, so it needs its base: the study's model when the trial started from one
 * (`baseFiles` reads it, only then), else the random weights the checkpoint rebuilds from their seed.
 */
export async function restoreTrialCheckpoint(
  checkpoint: Uint8Array,
  baseFiles: () => Promise<ModelFiles | undefined>,
): Promise<RestoredCheckpoint> {
  const finetuned = checkpointConfigs(checkpoint).finetune.mode !== "full";
  const files = finetuned ? await baseFiles() : undefined;
  if (files === undefined) return loadCheckpoint(checkpoint);
  const base = readBaseModel(files);
  return loadCheckpoint(checkpoint, undefined, loadBaseWeights(base, base.config));
}
