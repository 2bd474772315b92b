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
  const { config } = readLayout(files);
  return { files, config, tokenizer: readModelTokenizer(files, config.vocabSize) };
}

/** A folder's weights in a GPT of `config` (the trial's: the folder's with its dropout), else its own. */
export function loadBaseWeights(files: ModelFiles, config?: GPTConfig): GPT {
  const layout = readLayout(files);
  return loadGPT({ ...layout, config: config ?? layout.config }, readWeights(files));
}

function readLayout(files: ModelFiles) {
  return huggingFaceLayout(readJsonFile(files, "config.json", "the model's architecture"));
}

/**
 * A trial's checkpoint restored for reading (generation, export), and whether it was fine-tuned
 * with LoRA or freeze. Such a checkpoint holds only what it trained, so it needs its base: the
 * study's model when the trial started from one (`baseFiles` reads it, only then), else the random
 * weights the checkpoint rebuilds from their seed.
 */
export async function restoreTrialCheckpoint(
  checkpoint: Uint8Array,
  baseFiles: () => Promise<ModelFiles | undefined>,
): Promise<RestoredCheckpoint & { finetuned: boolean }> {
  const finetuned = checkpointConfigs(checkpoint).finetune.mode !== "full";
  const files = finetuned ? await baseFiles() : undefined;
  const base = files && loadBaseWeights(files);
  return { ...loadCheckpoint(checkpoint, undefined, base), finetuned };
}
