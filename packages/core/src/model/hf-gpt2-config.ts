/**
 * Hugging Face's GPT-2 config.json (transformers' GPT2Config) and core's GPTConfig, both ways.
 *
 * Core's GPT computes GPT-2 exactly with: learned positions, pre-LayerNorm with a final LayerNorm,
 * GELU in its tanh approximation ("gelu_new"), biases everywhere, attention scaled by 1/√headDim,
 * one key/value head per query head, and the head tied to the token embedding (or untied, as
 * `lm_head`). LayerNorm's ε comes across as `normEpsilon`. A config that asks for anything else is
 * refused by field name. Missing fields take GPT2Config's defaults, as transformers does.
 * Dropout: core has one rate, on the embeddings and on each sublayer's output, which is GPT-2's
 * `resid_pdrop` (and `embd_pdrop`); core has no dropout on attention probabilities (`attn_pdrop`).
 * Dropout is a training choice and does not change what the weights compute.
 */
import { z } from "zod";
import { type GPTConfig, layerNormEpsilon, mlpWidth, parseConfig } from "./config.ts";
import type { GenerationTokens } from "./hf-tensors.ts";

const size = z.number().int().positive();
/** GELU's tanh approximation under its transformers names; "gelu" there is the exact erf form. */
const tanhGelu = ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"];

const hfGpt2ConfigSchema = z.looseObject({
  model_type: z.literal("gpt2", {
    error: (issue) => `${JSON.stringify(issue.input)} is not "gpt2": only GPT-2 is imported`,
  }),
  vocab_size: size.default(50257),
  n_positions: size.default(1024),
  n_embd: size.default(768),
  n_layer: size.default(12),
  n_head: size.default(12),
  n_inner: size.nullable().default(null),
  activation_function: z
    .enum([...tanhGelu, "relu"], {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not expressible: the model's activations are GELU's ` +
        `tanh approximation (${tanhGelu.join(", ")}) and relu`,
    })
    .default("gelu_new"),
  resid_pdrop: z.number().min(0).lt(1).default(0.1),
  layer_norm_epsilon: z.number().positive().default(1e-5),
  tie_word_embeddings: z.boolean().default(true),
  scale_attn_weights: refusedUnless(true, "the model always scales attention by 1/√headDim"),
  scale_attn_by_inverse_layer_idx: refusedUnless(
    false,
    "the model does not scale attention by 1/(layer + 1)",
  ),
  reorder_and_upcast_attn: refusedUnless(
    false,
    "the model computes attention in float32 in one order",
  ),
  add_cross_attention: refusedUnless(false, "the model is decoder-only, without cross-attention"),
  attention_types: z
    .undefined({
      error: "GPT-Neo's local attention is not expressible: the model attends to every position",
    })
    .optional(),
});

function refusedUnless<T extends boolean>(value: T, why: string) {
  return z.literal(value, { error: `only ${value} is expressible: ${why}` }).default(value);
}

export type HfGpt2Config = z.output<typeof hfGpt2ConfigSchema>;

/** transformers' GPT2Config.attribute_map: the generic names a config.json may use instead. */
const ALIASES: Record<string, string> = {
  hidden_size: "n_embd",
  max_position_embeddings: "n_positions",
  num_attention_heads: "n_head",
  num_hidden_layers: "n_layer",
};

/** Parses config.json, throwing one error that lists every field the model cannot express. */
export function parseHfGpt2Config(json: unknown): HfGpt2Config {
  const input = { ...(json as object) } as Record<string, unknown>;
  for (const [alias, name] of Object.entries(ALIASES)) {
    if (input[name] === undefined && input[alias] !== undefined) input[name] = input[alias];
  }
  const result = hfGpt2ConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new Error(`config.json is not an importable GPT-2 config: ${problems.join("; ")}`);
  }
  return result.data;
}

export function gptConfigFromHf(hf: HfGpt2Config): GPTConfig {
  return parseConfig({
    vocabSize: hf.vocab_size,
    seqLen: hf.n_positions,
    layers: hf.n_layer,
    dModel: hf.n_embd,
    heads: hf.n_head,
    mlpRatio: (hf.n_inner ?? 4 * hf.n_embd) / hf.n_embd,
    activation: hf.activation_function === "relu" ? "relu" : "gelu",
    dropout: hf.resid_pdrop,
    norm: "pre",
    positions: "learned",
    tieEmbeddings: hf.tie_word_embeddings,
    normEpsilon: hf.layer_norm_epsilon,
  });
}

/** Why GPT-2 cannot express the model, by config field; none when it can. */
export function gpt2Problems(config: GPTConfig): string[] {
  return [
    config.positions !== "learned" && `positions: ${config.positions} (GPT-2 learns positions)`,
    config.norm !== "pre" && `norm: ${config.norm} (GPT-2 normalizes before each sublayer)`,
    config.normalization !== "layernorm" &&
      `normalization: ${config.normalization} (GPT-2 has LayerNorms)`,
    config.activation === "swiglu" && "activation: swiglu (GPT-2's MLP is GELU or ReLU)",
    !config.bias && "bias: false (GPT-2's projections have biases)",
    config.kvHeads !== config.heads &&
      `kvHeads: ${config.kvHeads} (GPT-2 has a key/value head per query head, ${config.heads})`,
    config.numClasses !== undefined &&
      `numClasses: ${config.numClasses} (a classifier, GPT-2 is a language model)`,
  ].filter((problem) => problem !== false);
}

/** config.json for a model core can express as GPT-2; refuses, by field, one it cannot. */
export function hfConfigFromGpt(config: GPTConfig, tokens: GenerationTokens = {}) {
  const problems = gpt2Problems(config);
  if (problems.length > 0) {
    throw new Error(`this model is not expressible as GPT-2: ${problems.join("; ")}`);
  }
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: config.vocabSize,
    n_positions: config.seqLen,
    n_embd: config.dModel,
    n_layer: config.layers,
    n_head: config.heads,
    n_inner: mlpWidth(config),
    activation_function: config.activation === "relu" ? "relu" : "gelu_new",
    resid_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    attn_pdrop: 0,
    layer_norm_epsilon: layerNormEpsilon(config),
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: config.tieEmbeddings,
    use_cache: true,
    torch_dtype: "float32",
    bos_token_id: tokens.bosTokenId,
    eos_token_id: tokens.eosTokenId,
  };
}
