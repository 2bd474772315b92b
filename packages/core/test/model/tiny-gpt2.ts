/**
 * A tiny Hugging Face GPT-2 checkpoint made from a fixed seed: 2 layers, 32 dimensions, 4 heads,
 * 50 tokens, 16 positions. Its tensors are listed here by GPT-2's own names and shapes, independently
 * of the importer's mapping, and written with our safetensors writer. fixtures/tiny-gpt2/ holds it
 * (written by fixtures/write-tiny-gpt2.ts) with PyTorch's logits for it (fixtures/gpt2_reference.py).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Float32Tensor } from "../../src/model/safetensors.ts";
import { writeSafetensors } from "../../src/model/safetensors.ts";
import { Random } from "../../src/random.ts";

export const TINY_GPT2_FOLDER = new URL("./fixtures/tiny-gpt2/", import.meta.url);

const [d, layers, heads, vocab, positions] = [32, 2, 4, 50, 16];

/** config.json as transformers writes it, with the fields the importer ignores left in. */
export const tinyGpt2Config = {
  architectures: ["GPT2LMHeadModel"],
  model_type: "gpt2",
  vocab_size: vocab,
  n_positions: positions,
  n_ctx: positions,
  n_embd: d,
  n_layer: layers,
  n_head: heads,
  activation_function: "gelu_new",
  resid_pdrop: 0.1,
  embd_pdrop: 0.1,
  attn_pdrop: 0.1,
  // Not GPT-2's 1e-5, so that the comparison with PyTorch also checks normEpsilon is applied.
  layer_norm_epsilon: 1e-3,
  initializer_range: 0.02,
  summary_type: "cls_index",
  summary_use_proj: true,
  bos_token_id: vocab - 1,
  eos_token_id: vocab - 1,
  use_cache: true,
  torch_dtype: "float32",
};

/**
 * GPT-2's tensors, in its names ([in, out] Conv1D weights, c_attn = query | key | value), with
 * weights larger than GPT-2's initialisation so that attention is far from uniform and GELU far
 * from linear: N(0, 0.3) matrices, LayerNorm gains 1 + N(0, 0.2), biases N(0, 0.1).
 */
export function tinyGpt2Tensors(seed = 2024): Map<string, Float32Tensor> {
  const random = new Random(seed);
  const tensors = new Map<string, Float32Tensor>();
  const add = (name: string, shape: number[], mean: number, std: number) => {
    const size = shape.reduce((product, n) => product * n, 1);
    const values = Float32Array.from({ length: size }, () => random.normal(mean, std));
    tensors.set(name, { shape, values });
  };
  const norm = (name: string) => {
    add(`${name}.weight`, [d], 1, 0.2);
    add(`${name}.bias`, [d], 0, 0.1);
  };
  const conv1d = (name: string, inputs: number, outputs: number) => {
    add(`${name}.weight`, [inputs, outputs], 0, 0.3);
    add(`${name}.bias`, [outputs], 0, 0.1);
  };
  add("wte.weight", [vocab, d], 0, 0.3);
  add("wpe.weight", [positions, d], 0, 0.3);
  for (let i = 0; i < layers; i++) {
    norm(`h.${i}.ln_1`);
    conv1d(`h.${i}.attn.c_attn`, d, 3 * d);
    conv1d(`h.${i}.attn.c_proj`, d, d);
    norm(`h.${i}.ln_2`);
    conv1d(`h.${i}.mlp.c_fc`, d, 4 * d);
    conv1d(`h.${i}.mlp.c_proj`, 4 * d, d);
  }
  norm("ln_f");
  return tensors;
}

export function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** The checkpoint's files, as the importer takes them. */
export function tinyGpt2Files(): Map<string, Uint8Array> {
  return new Map([
    ["config.json", json(tinyGpt2Config)],
    ["model.safetensors", writeSafetensors(tinyGpt2Tensors(), { format: "pt" })],
  ]);
}

/** Every file of a folder, by name: what a caller of the importer does. */
export function readFolder(folder: URL): Map<string, Uint8Array> {
  return new Map(
    readdirSync(folder).map((name) => [name, new Uint8Array(readFileSync(new URL(name, folder)))]),
  );
}
