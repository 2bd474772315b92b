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
