/**
 * Hugging Face Llama checkpoints in and out of core's GPT, weight for weight.
 *
 * A Hugging Face Llama folder holds config.json (see hf-llama-config.ts) and model.safetensors (or
 * shards, see hf-folder.ts) with LlamaForCausalLM's tensors: model.embed_tokens,
 * model.layers.{i}.input_layernorm, model.layers.{i}.self_attn.{q,k,v,o}_proj,
 * model.layers.{i}.post_attention_layernorm, model.layers.{i}.mlp.{gate,up,down}_proj, model.norm,
 * and lm_head when the head is untied. The projections are nn.Linear layers, stored [out, in]:
 * each transposes into core's [in, out]; the RMSNorm weights are core's gains.
 */
import type { GPTConfig } from "./config.ts";
import { type ModelFiles, readJsonFile, readWeights } from "./hf-folder.ts";
import {
  gptConfigFromHfLlama,
  hfLlamaConfigFromGpt,
  parseHfLlamaConfig,
} from "./hf-llama-config.ts";
import {
  type GenerationTokens,
  hfTensors,
  loadGPT,
  modelFolder,
  type TensorMapping,
} from "./hf-tensors.ts";
import { float32Values, type StoredTensor } from "./safetensors.ts";
import type { GPT } from "./weights.ts";

const EMBEDDING = "model.embed_tokens.weight";
const LM_HEAD = "lm_head.weight";
/** The rotary inverse frequencies older checkpoints saved in every layer: computed, not weights. */
const ROTARY_BUFFER = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

function tensorMappings(config: GPTConfig): TensorMapping[] {
  const same = (hf: string, core: string): TensorMapping => ({ hf, core: [core], layout: "same" });
  const linear = (hf: string, core: string): TensorMapping[] => [
    { hf: `${hf}.weight`, core: [`${core}.weight`], layout: "transposed" },
    ...(config.bias ? [same(`${hf}.bias`, `${core}.bias`)] : []),
  ];
  const blocks = Array.from({ length: config.layers }, (_, i) => {
    const [h, b] = [`model.layers.${i}`, `blocks.${i}`];
    return [
      same(`${h}.input_layernorm.weight`, `${b}.attentionNorm.gain`),
      ...linear(`${h}.self_attn.q_proj`, `${b}.query`),
      ...linear(`${h}.self_attn.k_proj`, `${b}.key`),
      ...linear(`${h}.self_attn.v_proj`, `${b}.value`),
      ...linear(`${h}.self_attn.o_proj`, `${b}.attentionOutput`),
      same(`${h}.post_attention_layernorm.weight`, `${b}.mlpNorm.gain`),
      ...linear(`${h}.mlp.gate_proj`, `${b}.mlpGate`),
      ...linear(`${h}.mlp.up_proj`, `${b}.mlpIn`),
      ...linear(`${h}.mlp.down_proj`, `${b}.mlpOut`),
    ];
  });
  const head: TensorMapping[] = config.tieEmbeddings
    ? []
    : [{ hf: LM_HEAD, core: ["outputHead"], layout: "transposed" }];
  return [
    same(EMBEDDING, "tokenEmbedding"),
    ...blocks.flat(),
    same("model.norm.weight", "finalNorm.gain"),
    ...head,
  ];
}

/**
 * Reads a Hugging Face Llama folder into core's GPT. `files` maps file names to their bytes, as for
 * importHuggingFaceGPT2: config.json and model.safetensors, or model.safetensors.index.json and its
 * shards. A tied model's stored lm_head.weight must equal the embedding: one that differs means
 * config.json's tie_word_embeddings is wrong, and is refused.
 */
export function importHuggingFaceLlama(files: ModelFiles): GPT {
  const json = readJsonFile(files, "config.json", "the model's architecture");
  const config = gptConfigFromHfLlama(parseHfLlamaConfig(json));
  const stored = readWeights(files);
  if (config.tieEmbeddings) checkTiedHead(stored);
  return loadGPT(config, stored, tensorMappings(config), {
    architecture: "Llama",
    skipped: (name) => ROTARY_BUFFER.test(name) || (config.tieEmbeddings && name === LM_HEAD),
  });
}

function checkTiedHead(stored: Map<string, StoredTensor>) {
  const [head, embedding] = [stored.get(LM_HEAD), stored.get(EMBEDDING)];
  if (head === undefined || embedding === undefined) return;
  const [a, b] = [float32Values(head, LM_HEAD), float32Values(embedding, EMBEDDING)];
  if (a.length !== b.length || a.some((value, i) => value !== b[i])) {
    throw new Error(
      `config.json's tie_word_embeddings is true, but the weights hold an "${LM_HEAD}" that ` +
        `differs from "${EMBEDDING}": the checkpoint's head is untied; set tie_word_embeddings ` +
        "to false to import it",
    );
  }
}

/**
 * Writes core's GPT as a Hugging Face Llama folder: config.json, model.safetensors (float32,
 * LlamaForCausalLM's names and layout) and generation_config.json, which transformers'
 * `LlamaForCausalLM.from_pretrained` reads. Refuses, by config field, a model Llama cannot express.
 */
export function exportHuggingFaceLlama(
  model: GPT,
  tokens: GenerationTokens = {},
): Map<string, Uint8Array> {
  const hfConfig = hfLlamaConfigFromGpt(model.config, tokens);
  return modelFolder(hfConfig, hfTensors(model, tensorMappings(model.config)), tokens);
}
