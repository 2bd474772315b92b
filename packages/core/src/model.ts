// Public entry point `@attune/core/model` (Node, TensorFlow.js): the GPT and text generation.
export { generate } from "./generate.ts";
export { createGPT, disposeGPT } from "./model/gpt.ts";
export type { ModelFiles } from "./model/hf-folder.ts";
export { exportHuggingFaceGPT2, importHuggingFaceGPT2 } from "./model/hf-gpt2.ts";
export { exportHuggingFaceLlama, importHuggingFaceLlama } from "./model/hf-llama.ts";
/**
 * Hugging Face checkpoints. A model folder is passed as a Map from file name to bytes
 * (`ModelFiles`): the caller reads the files, from disk or an upload, and core never touches a file
 * system. `importHuggingFaceModel` reads config.json and model.safetensors (or
 * model.safetensors.index.json and the shards it names) of a GPT-2 or a Llama, by config.json's
 * model_type, into a GPT that computes what the checkpoint computes; `exportHuggingFaceModel`
 * writes config.json, model.safetensors and generation_config.json that transformers loads, as
 * GPT-2 or Llama, whichever expresses the model. PyTorch's pickled .bin files are refused.
 */
export { exportHuggingFaceModel, importHuggingFaceModel } from "./model/hf-model.ts";
export type { GenerationTokens } from "./model/hf-tensors.ts";
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
