/**
 * Hugging Face GPT-2 checkpoints in and out of core's GPT, weight for weight.
 *
 * A Hugging Face GPT-2 folder holds config.json (see hf-gpt2-config.ts) and model.safetensors (or
 * shards, see hf-folder.ts) with GPT2LMHeadModel's tensors: wte, wpe, h.{i}.ln_1, h.{i}.attn.c_attn
 * (query, key and value side by side), h.{i}.attn.c_proj, h.{i}.ln_2, h.{i}.mlp.c_fc,
 * h.{i}.mlp.c_proj, ln_f, named with or without a "transformer." prefix, and lm_head only when the
 * head is untied. GPT-2's projections are Conv1D layers, whose weights are stored [in, out]: core's
 * layout, so they copy as they are; only the fused c_attn splits into three and lm_head, an
 * nn.Linear [vocab, dModel], transposes into core's [dModel, vocab] output head.
 */
import type { GPTConfig } from "./config.ts";
import { type ModelFiles, readJsonFile, readWeights } from "./hf-folder.ts";
import { gptConfigFromHf, hfConfigFromGpt, parseHfGpt2Config } from "./hf-gpt2-config.ts";
import {
  type GenerationTokens,
  hfTensors,
  loadGPT,
  modelFolder,
  type TensorMapping,
} from "./hf-tensors.ts";
import type { StoredTensor } from "./safetensors.ts";
import type { GPT } from "./weights.ts";

const PREFIX = "transformer.";
const LM_HEAD = "lm_head.weight";
/** Buffers older checkpoints saved beside the weights: the causal mask, not parameters. */
const MASK_BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

function tensorMappings(config: GPTConfig): TensorMapping[] {
  const same = (hf: string, core: string): TensorMapping => ({ hf, core: [core], layout: "same" });
  const pair = (hf: string, core: string, [hfWeight, coreWeight]: [string, string]) => [
    same(`${hf}.${hfWeight}`, `${core}.${coreWeight}`),
    same(`${hf}.bias`, `${core}.bias`),
  ];
  const norm = (hf: string, core: string) => pair(hf, core, ["weight", "gain"]);
  const linear = (hf: string, core: string) => pair(hf, core, ["weight", "weight"]);
  const blocks = Array.from({ length: config.layers }, (_, i) => {
    const [h, b] = [`h.${i}`, `blocks.${i}`];
    const queryKeyValue = (part: string): TensorMapping => ({
      hf: `${h}.attn.c_attn.${part}`,
      core: ["query", "key", "value"].map((name) => `${b}.${name}.${part}`),
      layout: "fused",
    });
    return [
      ...norm(`${h}.ln_1`, `${b}.attentionNorm`),
      queryKeyValue("weight"),
      queryKeyValue("bias"),
      ...linear(`${h}.attn.c_proj`, `${b}.attentionOutput`),
      ...norm(`${h}.ln_2`, `${b}.mlpNorm`),
      ...linear(`${h}.mlp.c_fc`, `${b}.mlpIn`),
      ...linear(`${h}.mlp.c_proj`, `${b}.mlpOut`),
    ];
  });
  const head: TensorMapping[] = config.tieEmbeddings
    ? []
    : [{ hf: LM_HEAD, core: ["outputHead"], layout: "transposed" }];
  return [
    same("wte.weight", "tokenEmbedding"),
    same("wpe.weight", "positionEmbedding"),
    ...blocks.flat(),
    ...norm("ln_f", "finalNorm"),
    ...head,
  ];
}

/**
 * Reads a Hugging Face GPT-2 folder into core's GPT. `files` maps file names to their bytes (the
 * caller reads them: core touches no file system); it needs config.json and model.safetensors, or
 * model.safetensors.index.json and its shards. Other files (tokenizer.json, vocab.json, merges.txt,
 * generation_config.json) are not read.
 */
export function importHuggingFaceGPT2(files: ModelFiles): GPT {
  const json = readJsonFile(files, "config.json", "the model's architecture");
  const config = gptConfigFromHf(parseHfGpt2Config(json));
  return loadGPT(config, withoutPrefix(readWeights(files)), tensorMappings(config), {
    architecture: "GPT-2",
    // A tied head is wte itself: transformers ignores a stored lm_head.weight, and so do we.
    skipped: (name) => MASK_BUFFER.test(name) || (config.tieEmbeddings && name === LM_HEAD),
  });
}

/** Names without the "transformer." prefix GPT2LMHeadModel gives its body's tensors. */
function withoutPrefix(tensors: Map<string, StoredTensor>): Map<string, StoredTensor> {
  const renamed = new Map<string, StoredTensor>();
  for (const [name, tensor] of tensors) {
    const bare = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
    if (renamed.has(bare)) {
      throw new Error(`the weights hold "${bare}" both with and without the "${PREFIX}" prefix`);
    }
    renamed.set(bare, tensor);
  }
  return renamed;
}

/**
 * Writes core's GPT as a Hugging Face GPT-2 folder: config.json, model.safetensors (float32,
 * GPT2LMHeadModel's names and layout) and generation_config.json, which transformers'
 * `GPT2LMHeadModel.from_pretrained` reads. Refuses, by config field, a model GPT-2 cannot express.
 * `tokens` are the tokenizer's begin/end-of-text ids for the two configs, when it has them.
 */
export function exportHuggingFaceGPT2(
  model: GPT,
  tokens: GenerationTokens = {},
): Map<string, Uint8Array> {
  const hfConfig = hfConfigFromGpt(model.config, tokens);
  const tensors = hfTensors(model, tensorMappings(model.config), (hf) =>
    hf === LM_HEAD ? hf : `${PREFIX}${hf}`,
  );
  return modelFolder(hfConfig, tensors, tokens);
}
