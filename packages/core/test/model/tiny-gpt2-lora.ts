/**
 * LoRA adapters for the tiny GPT-2 (tiny-gpt2.ts), made from fixed seeds, in PEFT's layout:
 * fixtures/tiny-gpt2-lora/ holds them (written by fixtures/write-tiny-gpt2-lora.ts) with PyTorch's
 * logits of the adapted model (fixtures/peft_lora_reference.py).
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../../src/model/gpt.ts";
import { importHuggingFaceGPT2 } from "../../src/model/hf-gpt2.ts";
import { addLora } from "../../src/model/lora.ts";
import type { LoraConfig } from "../../src/model/lora-config.ts";
import { exportPeftLora } from "../../src/model/peft-lora.ts";
import { Random } from "../../src/random.ts";
import { tinyGpt2Files } from "./tiny-gpt2.ts";

export const TINY_LORA_FOLDER = new URL("./fixtures/tiny-gpt2-lora/", import.meta.url);

/** Query and value (the fused c_attn, key left out) and the MLP's first projection. */
export const tinyLoraConfig: LoraConfig = {
  rank: 2,
  alpha: 3,
  dropout: 0.05,
  targets: ["query", "value", "mlpIn"],
  rslora: false,
};

/** The tiny GPT-2 with adapters whose B, not only A, is random (N(0, 0.3)): a real update. */
export function tinyLoraModel(): { base: GPT; model: GPT } {
  const base = importHuggingFaceGPT2(tinyGpt2Files());
  const model = addLora(base, tinyLoraConfig, 7);
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

export function tinyLoraFiles(model: GPT): Map<string, Uint8Array> {
  return exportPeftLora(model, { baseModelNameOrPath: "tiny-gpt2" });
}
