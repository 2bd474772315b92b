/**
 * Hugging Face's Llama config.json (transformers' LlamaConfig) and core's GPTConfig, both ways.
 *
 * Core's GPT computes Llama exactly with: pre-norm RMSNorm and a final RMSNorm, rotary positions
 * in the rotate_half layout with base `rope_theta`, grouped-query attention (`num_key_value_heads`)
 * scaled by 1/√headDim, SwiGLU MLPs of width `intermediate_size`, no biases (or biases on every
 * projection), and a head tied to the token embedding or not. A config that asks for anything else
 * is refused by field name: rope scaling, biases on attention but not the MLP (or the reverse),
 * sliding-window or local attention, another activation, a head size other than hidden_size /
 * num_attention_heads. Missing fields take LlamaConfig's defaults, as transformers does. Llama has
 * no dropout on the residual stream, so an imported model has none.
 */
import { z } from "zod";
import { type GPTConfig, headDim, layerNormEpsilon, mlpWidth, parseConfig } from "./config.ts";
import type { GenerationTokens } from "./hf-tensors.ts";

const size = z.number().int().positive();

const hfLlamaConfigSchema = z
  .looseObject({
    model_type: z.literal("llama", {
      error: (issue) => `${JSON.stringify(issue.input)} is not "llama": only Llama is imported`,
    }),
    vocab_size: size.default(32000),
    hidden_size: size.default(4096),
    intermediate_size: size.default(11008),
    num_hidden_layers: size.default(32),
    num_attention_heads: size.default(32),
    num_key_value_heads: size.nullable().default(null),
    head_dim: size.nullable().default(null),
    hidden_act: z
      .literal("silu", {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not expressible: the model's gated MLP is SwiGLU (silu)`,
      })
      .default("silu"),
    max_position_embeddings: size.default(2048),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().gt(1).default(10000),
    rope_scaling: z
      .null({ error: "only null is expressible: the model's rotary angles are not rescaled" })
      .default(null),
    attention_bias: z.boolean().default(false),
    mlp_bias: z.boolean().default(false),
    tie_word_embeddings: z.boolean().default(false),
    sliding_window: z
      .null({ error: "only null is expressible: the model attends to every earlier position" })
      .optional(),
    use_sliding_window: z
      .literal(false, {
        error: "only false is expressible: the model attends to every earlier position",
      })
      .optional(),
    attention_types: z
      .undefined({
        error: "GPT-Neo's local attention is not expressible: the model attends to every position",
      })
      .optional(),
  })
  .superRefine((hf, ctx) => {
    if (hf.mlp_bias !== hf.attention_bias) {
      ctx.addIssue({
        code: "custom",
        path: ["mlp_bias"],
        message: `${hf.mlp_bias} with attention_bias ${hf.attention_bias} is not expressible: the model has biases on every projection or on none`,
      });
    }
    const implied = hf.hidden_size / hf.num_attention_heads;
    if (hf.head_dim !== null && hf.head_dim !== implied) {
      ctx.addIssue({
        code: "custom",
        path: ["head_dim"],
        message: `${hf.head_dim} is not expressible: the model's heads are hidden_size / num_attention_heads = ${implied} wide`,
      });
    }
  });

export type HfLlamaConfig = z.output<typeof hfLlamaConfigSchema>;

/** Parses config.json, throwing one error that lists every field the model cannot express. */
export function parseHfLlamaConfig(json: unknown): HfLlamaConfig {
  const result = hfLlamaConfigSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new Error(`config.json is not an importable Llama config: ${problems.join("; ")}`);
  }
  return result.data;
}

export function gptConfigFromHfLlama(hf: HfLlamaConfig): GPTConfig {
  return parseConfig({
    vocabSize: hf.vocab_size,
    seqLen: hf.max_position_embeddings,
    layers: hf.num_hidden_layers,
    dModel: hf.hidden_size,
    heads: hf.num_attention_heads,
    kvHeads: hf.num_key_value_heads ?? hf.num_attention_heads,
    mlpHidden: hf.intermediate_size,
    activation: "swiglu",
    dropout: 0,
    norm: "pre",
    normalization: "rmsnorm",
    positions: "rotary",
    ropeTheta: hf.rope_theta,
    bias: hf.attention_bias,
    tieEmbeddings: hf.tie_word_embeddings,
    normEpsilon: hf.rms_norm_eps,
  });
}

/** Why Llama cannot express the model, by config field; none when it can. */
export function llamaProblems(config: GPTConfig): string[] {
  return [
    config.positions !== "rotary" && `positions: ${config.positions} (Llama's are rotary)`,
    config.norm !== "pre" && `norm: ${config.norm} (Llama normalizes before each sublayer)`,
    config.normalization !== "rmsnorm" &&
      `normalization: ${config.normalization} (Llama has RMSNorms)`,
    config.activation !== "swiglu" && `activation: ${config.activation} (Llama's MLP is SwiGLU)`,
    config.numClasses !== undefined &&
      `numClasses: ${config.numClasses} (a classifier, Llama is a language model)`,
  ].filter((problem) => problem !== false);
}

/** config.json for a model core can express as Llama; refuses, by field, one it cannot. */
export function hfLlamaConfigFromGpt(config: GPTConfig, tokens: GenerationTokens = {}) {
  const problems = llamaProblems(config);
  if (problems.length > 0) {
    throw new Error(`this model is not expressible as Llama: ${problems.join("; ")}`);
  }
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: config.vocabSize,
    hidden_size: config.dModel,
    intermediate_size: mlpWidth(config),
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    num_key_value_heads: config.kvHeads,
    head_dim: headDim(config),
    hidden_act: "silu",
    max_position_embeddings: config.seqLen,
    rms_norm_eps: layerNormEpsilon(config),
    rope_theta: config.ropeTheta,
    rope_scaling: null,
    attention_bias: config.bias,
    mlp_bias: config.bias,
    attention_dropout: 0,
    pretraining_tp: 1,
    initializer_range: 0.02,
    tie_word_embeddings: config.tieEmbeddings,
    use_cache: true,
    torch_dtype: "float32",
    bos_token_id: tokens.bosTokenId,
    eos_token_id: tokens.eosTokenId,
  };
}
