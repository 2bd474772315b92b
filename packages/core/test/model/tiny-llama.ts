/**
 * A tiny Hugging Face Llama checkpoint made from a fixed seed: 2 layers, 32 dimensions, 4 query
 * heads sharing 2 key/value heads, SwiGLU width 48, 50 tokens, an untied head. Its tensors are
 * listed here by Llama's own names and shapes, independently of the importer's mapping, and written
 * with our safetensors writer. fixtures/tiny-llama/ holds it (written by fixtures/write-tiny-llama.ts)
 * with PyTorch's logits for it (fixtures/llama_reference.py).
 */
import type { Float32Tensor } from "../../src/model/safetensors.ts";
import { writeSafetensors } from "../../src/model/safetensors.ts";
import { Random } from "../../src/random.ts";
import { json } from "./tiny-gpt2.ts";

export const TINY_LLAMA_FOLDER = new URL("./fixtures/tiny-llama/", import.meta.url);

const [d, layers, heads, kvHeads, hidden, vocab] = [32, 2, 4, 2, 48, 50];
const headSize = d / heads;

/** config.json as transformers writes it, with the fields the importer ignores left in. */
export const tinyLlamaConfig = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  vocab_size: vocab,
  hidden_size: d,
  intermediate_size: hidden,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kvHeads,
  hidden_act: "silu",
  max_position_embeddings: 16,
  // Neither is Llama's default (1e-6, 10000), so that the comparison with PyTorch checks both.
  rms_norm_eps: 1e-3,
  rope_theta: 500,
  rope_scaling: null,
  attention_bias: false,
  mlp_bias: false,
  attention_dropout: 0,
  tie_word_embeddings: false,
  initializer_range: 0.02,
  pretraining_tp: 1,
  bos_token_id: 1,
  eos_token_id: 2,
  use_cache: true,
  torch_dtype: "float32",
};

/**
 * Llama's tensors, in its names (nn.Linear weights [out, in]), with weights larger than Llama's
 * initialisation so that attention is far from uniform and the gates far from linear: N(0, 0.3)
 * matrices, RMSNorm weights 1 + N(0, 0.2).
 */
export function tinyLlamaTensors(seed = 2025): Map<string, Float32Tensor> {
  const random = new Random(seed);
  const tensors = new Map<string, Float32Tensor>();
  const add = (name: string, shape: number[], mean: number, std: number) => {
    const size = shape.reduce((product, n) => product * n, 1);
    const values = Float32Array.from({ length: size }, () => random.normal(mean, std));
    tensors.set(name, { shape, values });
  };
  const norm = (name: string) => add(`${name}.weight`, [d], 1, 0.2);
  const linear = (name: string, inputs: number, outputs: number) =>
    add(`${name}.weight`, [outputs, inputs], 0, 0.3);
  add("model.embed_tokens.weight", [vocab, d], 0, 0.3);
  for (let i = 0; i < layers; i++) {
    const layer = `model.layers.${i}`;
    norm(`${layer}.input_layernorm`);
    linear(`${layer}.self_attn.q_proj`, d, heads * headSize);
    linear(`${layer}.self_attn.k_proj`, d, kvHeads * headSize);
    linear(`${layer}.self_attn.v_proj`, d, kvHeads * headSize);
    linear(`${layer}.self_attn.o_proj`, heads * headSize, d);
    norm(`${layer}.post_attention_layernorm`);
    linear(`${layer}.mlp.gate_proj`, d, hidden);
    linear(`${layer}.mlp.up_proj`, d, hidden);
    linear(`${layer}.mlp.down_proj`, hidden, d);
  }
  norm("model.norm");
  linear("lm_head", d, vocab);
  return tensors;
}

/** The checkpoint's files, as the importer takes them. */
export function tinyLlamaFiles(): Map<string, Uint8Array> {
  return new Map([
    ["config.json", json(tinyLlamaConfig)],
    ["model.safetensors", writeSafetensors(tinyLlamaTensors(), { format: "pt" })],
  ]);
}
