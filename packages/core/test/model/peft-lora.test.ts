import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { disposeGPT, type GPT, languageModelLogits } from "../../src/model/gpt.ts";
import { addLora } from "../../src/model/lora.ts";
import { exportPeftLora, importPeftLora } from "../../src/model/peft-lora.ts";
import { float32Values, readSafetensors, type StoredTensor } from "../../src/model/safetensors.ts";
import { finetuneModel } from "../../src/train/finetune.ts";
import { useWasmBackend } from "../tf-backend.ts";
import { readFolder } from "./tiny-gpt2.ts";
import {
  type TinyLora,
  tinyGpt2Lora,
  tinyLlamaLora,
  tinyLoraFiles,
  tinyLoraModel,
} from "./tiny-lora.ts";

useWasmBackend();

const models: GPT[] = [];
afterEach(() => {
  for (const model of models.splice(0)) disposeGPT(model);
});
function tiny(which?: TinyLora) {
  const made = tinyLoraModel(which);
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

describe("PEFT's LoRA layout for Llama", () => {
  it("names each projection's module as PEFT does, nn.Linear layouts, gate included", () => {
    const { model } = tiny(tinyLlamaLora);
    const files = tinyLoraFiles(model, tinyLlamaLora);
    expect(JSON.parse(text(files.get("adapter_config.json")))).toMatchObject({
      base_model_name_or_path: "tiny-llama",
      r: 2,
      lora_alpha: 3,
      rank_pattern: {},
      alpha_pattern: {},
      target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
      use_rslora: true,
      fan_in_fan_out: false,
    });
    const tensors = readSafetensors(files.get("adapter_model.safetensors") as Uint8Array).tensors;
    const shapes = Object.fromEntries([...tensors].map(([name, t]) => [name, t.shape]));
    // 32 dimensions, key and value 2 of 4 heads wide (16), SwiGLU width 48.
    const widths = { "self_attn.q_proj": [32, 32], "self_attn.k_proj": [32, 16] };
    const layer0 = Object.fromEntries(
      Object.entries({
        ...widths,
        "self_attn.v_proj": [32, 16],
        "self_attn.o_proj": [32, 32],
        "mlp.gate_proj": [32, 48],
        "mlp.up_proj": [32, 48],
        "mlp.down_proj": [48, 32],
      }).flatMap(([module, [inputs, outputs]]) => [
        [`base_model.model.model.layers.0.${module}.lora_A.weight`, [2, inputs]],
        [`base_model.model.model.layers.0.${module}.lora_B.weight`, [outputs, 2]],
      ]),
    );
    expect(Object.keys(shapes)).toHaveLength(2 * 2 * 7);
    expect(shapes).toMatchObject(layer0);
  });

  it("refuses GPT-2's layout and module names for Llama, naming them", () => {
    const { base, model } = tiny(tinyLlamaLora);
    const withConfig = (files: Map<string, Uint8Array>, change: object) => {
      const config = JSON.parse(text(files.get("adapter_config.json")));
      const changed = new TextEncoder().encode(JSON.stringify({ ...config, ...change }));
      return new Map([...files, ["adapter_config.json", changed]]);
    };
    const llamaFiles = tinyLoraFiles(model, tinyLlamaLora);
    expect(() => importPeftLora(base, withConfig(llamaFiles, { fan_in_fan_out: true }))).toThrow(
      /fan_in_fan_out is true, but Llama's weights are \[out, in\]/,
    );
    const gpt2Files = tinyLoraFiles(tiny(tinyGpt2Lora).model);
    expect(() => importPeftLora(base, withConfig(gpt2Files, { fan_in_fan_out: false }))).toThrow(
      /"base_model.model.transformer.h.0.attn.c_attn.lora_A.weight" is not a LoRA weight of this 2-layer Llama/,
    );
  });
});

describe.each([
  ["GPT-2", tinyGpt2Lora],
  ["Llama", tinyLlamaLora],
])("%s's adapters in PEFT's layout", (_, which) => {
  it("read back to the same adapters", () => {
    const { base, model } = tiny(which);
    const imported = importPeftLora(base, tinyLoraFiles(model, which));
    models.push(imported);
    const valuesOf = (m: GPT) => [...m.parameters].map(([name, v]) => [name, [...v.dataSync()]]);
    expect(valuesOf(imported)).toEqual(valuesOf(model));
    const scaling = which.lora.rslora ? 3 / Math.sqrt(2) : 1.5;
    expect(imported.weights.blocks[0]?.query.lora?.scaling).toBe(scaling);
  });

  it("compute PyTorch's logits for the adapted model (fixtures/peft_lora_reference.py)", () => {
    const { base, model } = tiny(which);
    const files = readFolder(which.folder);
    // The committed adapters are the ones tiny-lora.ts makes: the fixture cannot drift.
    const made = tinyLoraFiles(model, which);
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
    // As for the plain tiny models (hf-gpt2.test.ts, hf-llama.test.ts): float32 against float64.
    expect(worst).toBeLessThan(1e-5 * largest);
    // And the adapters matter: the base alone is far from these logits.
    const plain = logitsOf(base, Int32Array.from(expected.tokens.flat()));
    const moved = reference.reduce(
      (max, x, i) => Math.max(max, Math.abs(x - (plain[i] as number))),
      0,
    );
    expect(moved).toBeGreaterThan(1e-2 * largest);
  });
});
