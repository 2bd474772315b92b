// Public entry point `@attune/core/model` (Node, TensorFlow.js): the GPT and text generation.
export { generate } from "./generate.ts";
export { createGPT, disposeGPT } from "./model/gpt.ts";
