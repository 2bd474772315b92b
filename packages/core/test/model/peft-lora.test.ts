import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { disposeGPT, type GPT, languageModelLogits } from "../../src/model/gpt.ts";
import { addLora } from "../../src/model/lora.ts";
import { exportPeftLora, importPeftLora } from "../../src/model/peft-lora.ts";
import { float32Values, readSafetensors, type StoredTensor } from "../../src/model/safetensors.ts";
import { finetuneModel } from "../../src/train/finetune.ts";
import { useWasmBackend } from "../tf-backend.ts";
import { readFolder } from "./tiny-gpt2.ts";
import { TINY_LORA_FOLDER, tinyLoraFiles, tinyLoraModel } from "./tiny-gpt2-lora.ts";

useWasmBackend();

const models: GPT[] = [];
afterEach(() => {
  for (const model of models.splice(0)) disposeGPT(model);
});
function tiny() {
  const made = tinyLoraModel();
  models.push(made.base, made.model);
  return made;
}
const logitsOf = (model: GPT, tokens: Int32Array) =>
  tf.tidy(() => [...languageModelLogits(model, tokens, 2).dataSync()]);
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("PEFT's LoRA layout", () => {
  it("names and shapes the tensors as PEFT saves them, c_attn's block-structured", () => {
    const { model } = tiny();
    const files = tinyLoraFiles(model);
    const config = JSON.parse(text(files.get("adapter_config.json")));
    expect(config).toMatchObject({
      peft_type: "LORA",
      task_type: "CAUSAL_LM",
      base_model_name_or_path: "tiny-gpt2",
      // query and value of rank 2 each: one c_attn adapter of rank 4, alpha 6 keeps alpha/r = 3/2.
      r: 4,
      lora_alpha: 6,
      rank_pattern: { "mlp.c_fc": 2 },
      alpha_pattern: { "mlp.c_fc": 3 },
      lora_dropout: 0.05,
      target_modules: ["attn.c_attn", "mlp.c_fc"],
      use_rslora: false,
      fan_in_fan_out: true,
      bias: "none",
    });
    const tensors = readSafetensors(files.get("adapter_model.safetensors") as Uint8Array).tensors;
    const shapes = Object.fromEntries([...tensors].map(([name, t]) => [name, t.shape]));
    expect(shapes).toEqual({
      "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight": [4, 32],
      "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight": [96, 4],
      "base_model.model.transformer.h.0.mlp.c_fc.lora_A.weight": [2, 32],
      "base_model.model.transformer.h.0.mlp.c_fc.lora_B.weight": [128, 2],
      "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight": [4, 32],
      "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight": [96, 4],
      "base_model.model.transformer.h.1.mlp.c_fc.lora_A.weight": [2, 32],
      "base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight": [128, 2],
    });
    // The key's rows (32..63 of c_attn's output) are zero; query's use rank columns 0-1, value's 2-3.
    const b = tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight");
    const values = float32Values(b as StoredTensor, "lora_B");
    const at = (row: number, column: number) => values[row * 4 + column] as number;
    for (let row = 0; row < 96; row++) {
      for (let column = 0; column < 4; column++) {
        const used = (row < 32 && column < 2) || (row >= 64 && column >= 2);
        expect(at(row, column) !== 0).toBe(used);
      }
    }
  });

  it("reads back to the same adapters", () => {
    const { base, model } = tiny();
    const imported = importPeftLora(base, tinyLoraFiles(model));
    models.push(imported);
    const valuesOf = (m: GPT) => [...m.parameters].map(([name, v]) => [name, [...v.dataSync()]]);
    expect(valuesOf(imported)).toEqual(valuesOf(model));
    expect(imported.weights.blocks[0]?.query.lora?.scaling).toBe(1.5);
  });

  it("computes PyTorch's logits for the adapted GPT-2 (fixtures/peft_lora_reference.py)", () => {
    const { base, model } = tiny();
    const files = readFolder(TINY_LORA_FOLDER);
    // The committed adapters are the ones tiny-gpt2-lora.ts makes: the fixture cannot drift.
    const made = tinyLoraFiles(model);
    const json = (bytes: Uint8Array | undefined) => JSON.parse(text(bytes));
    expect(json(files.get("adapter_config.json"))).toEqual(json(made.get("adapter_config.json")));
    expect(files.get("adapter_model.safetensors")).toEqual(made.get("adapter_model.safetensors"));
    const expected = JSON.parse(text(files.get("expected-logits.json"))) as {
      tokens: number[][];
      logits: number[][][];
    };
    const imported = importPeftLora(base, files);
    models.push(imported);
    const logits = logitsOf(imported, Int32Array.from(expected.tokens.flat()));
    const reference = expected.logits.flat(2);
    const worst = reference.reduce(
      (max, x, i) => Math.max(max, Math.abs(x - (logits[i] as number))),
      0,
    );
    const largest = reference.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    // As for the plain tiny GPT-2 (hf-gpt2.test.ts): float32 against PyTorch's float64.
    expect(worst).toBeLessThan(1e-5 * largest);
  });

  it("writes rank-stabilised scaling as use_rslora, and one-projection modules as they are", () => {
    const { base } = tiny();
    const lora = {
      rank: 4,
      alpha: 2,
      dropout: 0,
      targets: ["attentionOutput"],
      rslora: true,
    } as const;
    const model = addLora(base, lora, 3);
    models.push(model);
    const files = exportPeftLora(model, { baseModelNameOrPath: "x", useRslora: true });
    expect(JSON.parse(text(files.get("adapter_config.json")))).toMatchObject({
      r: 4,
      lora_alpha: 2,
      use_rslora: true,
      target_modules: ["attn.c_proj"],
      rank_pattern: {},
    });
    const imported = importPeftLora(base, files);
    models.push(imported);
    expect(imported.weights.blocks[1]?.attentionOutput.lora?.scaling).toBe(1);
    expect(imported.parameters.get("blocks.1.attentionOutput.loraB")?.shape).toEqual([4, 32]);
  });

  it("refuses adapters that do not fit the model, naming what does not", () => {
    const { base, model } = tiny();
    const files = tinyLoraFiles(model);
    const config = JSON.parse(text(files.get("adapter_config.json")));
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const withConfig = (change: object) =>
      new Map([...files, ["adapter_config.json", encode({ ...config, ...change })]]);
    expect(() => importPeftLora(base, withConfig({ peft_type: "IA3" }))).toThrow(
      /peft_type is IA3/,
    );
    expect(() => importPeftLora(base, withConfig({ r: 8 }))).toThrow(
      /block 0's attn.c_attn has rank 4 .* the config says 8/,
    );
    const full = finetuneModel(base, { mode: "full" }, 0);
    expect(() => exportPeftLora(full, { baseModelNameOrPath: "x" })).toThrow(/no LoRA adapters/);
  });
});
