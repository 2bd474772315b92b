/**
 * LoRA adapters for the tiny GPT-2 (tiny-gpt2.ts) and the tiny Llama (tiny-llama.ts), made from
 * fixed seeds, in PEFT's layout: fixtures/tiny-gpt2-lora/ and fixtures/tiny-llama-lora/ hold them
 * (written by fixtures/write-tiny-lora.ts) with PyTorch's logits of the adapted models
 * (fixtures/peft_lora_reference.py).
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../../src/model/gpt.ts";
import { importHuggingFaceGPT2 } from "../../src/model/hf-gpt2.ts";
import { importHuggingFaceLlama } from "../../src/model/hf-llama.ts";
import { addLora } from "../../src/model/lora.ts";
import { type LoraConfig, loraTargets } from "../../src/model/lora-config.ts";
import { exportPeftLora } from "../../src/model/peft-lora.ts";
import { Random } from "../../src/random.ts";
import { tinyGpt2Files } from "./tiny-gpt2.ts";
import { tinyLlamaFiles } from "./tiny-llama.ts";

export interface TinyLora {
  folder: URL;
  /** The base model's name, as the adapters' config records it. */
  name: string;
  lora: LoraConfig;
  base: () => GPT;
}

export const tinyGpt2Lora: TinyLora = {
  folder: new URL("./fixtures/tiny-gpt2-lora/", import.meta.url),
  name: "tiny-gpt2",
  // Query and value (the fused c_attn, key left out) and the MLP's first projection.
  lora: { rank: 2, alpha: 3, dropout: 0.05, targets: ["query", "value", "mlpIn"], rslora: false },
  base: () => importHuggingFaceGPT2(tinyGpt2Files()),
};

export const tinyLlamaLora: TinyLora = {
  folder: new URL("./fixtures/tiny-llama-lora/", import.meta.url),
  name: "tiny-llama",
  // Every projection, gate included, with rank-stabilised scaling.
  lora: { rank: 2, alpha: 3, dropout: 0.05, targets: loraTargets, rslora: true },
  base: () => importHuggingFaceLlama(tinyLlamaFiles()),
};

/** The tiny model with adapters whose B, not only A, is random (N(0, 0.3)): a real update. */
export function tinyLoraModel(tiny: TinyLora = tinyGpt2Lora): { base: GPT; model: GPT } {
  const base = tiny.base();
  const model = addLora(base, tiny.lora, 7);
  const random = new Random(8);
  tf.tidy(() => {
    for (const [name, variable] of model.parameters) {
      if (!name.endsWith(".loraB")) continue;
      const values = Float32Array.from({ length: variable.size }, () => random.normal(0, 0.3));
      variable.assign(tf.tensor(values, variable.shape));
    }
  });
  return { base, model };
}

export function tinyLoraFiles(model: GPT, tiny: TinyLora = tinyGpt2Lora): Map<string, Uint8Array> {
  return exportPeftLora(model, { baseModelNameOrPath: tiny.name, useRslora: tiny.lora.rslora });
}
