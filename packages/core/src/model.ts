// Public entry point `@attune/core/model` (Node, TensorFlow.js): the GPT and text generation.
export { generate } from "./generate.ts";
export { createGPT, disposeGPT } from "./model/gpt.ts";
export type { ModelFiles } from "./model/hf-folder.ts";
export { exportHuggingFaceGPT2, importHuggingFaceGPT2 } from "./model/hf-gpt2.ts";
/**
 * Hugging Face checkpoints. A model folder is passed as a Map from file name to bytes
 * (`ModelFiles`): the caller reads the files, from disk or an upload, and core never touches a file
 * system. `importHuggingFaceGPT2` reads config.json and model.safetensors (or
 * model.safetensors.index.json and the shards it names) into a GPT that computes what the checkpoint
 * computes; `exportHuggingFaceGPT2` writes config.json, model.safetensors and
 * generation_config.json that transformers loads. PyTorch's pickled .bin files are refused.
 */
export type { GenerationTokens } from "./model/hf-gpt2-config.ts";
/** LoRA adapters on a frozen base, merged into plain weights, and in and out of PEFT's layout. */
export { addLora, mergeLora } from "./model/lora.ts";
export type { LoraConfig, LoraTarget } from "./model/lora-config.ts";
export { exportPeftLora, importPeftLora } from "./model/peft-lora.ts";
export {
  type Float32Tensor,
  float32Values,
  readSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  type StoredTensor,
  writeSafetensors,
} from "./model/safetensors.ts";
