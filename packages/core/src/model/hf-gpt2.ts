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
import * as tf from "@tensorflow/tfjs";
import type { GPTConfig } from "./config.ts";
import { createGPT, disposeGPT, type GPT } from "./gpt.ts";
import { type ModelFiles, readJsonFile, readWeights, WEIGHTS_FILE } from "./hf-folder.ts";
import {
  type GenerationTokens,
  gptConfigFromHf,
  hfConfigFromGpt,
  parseHfGpt2Config,
} from "./hf-gpt2-config.ts";
import {
  type Float32Tensor,
  float32Values,
  type StoredTensor,
  writeSafetensors,
} from "./safetensors.ts";

/** One Hugging Face tensor and the core parameters it holds. */
interface TensorMapping {
  hf: string;
  core: string[];
  /** same: one parameter as it is; fused: parameters side by side on the last axis. */
  layout: "same" | "fused" | "transposed";
}

const PREFIX = "transformer.";
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
    : [{ hf: "lm_head.weight", core: ["outputHead"], layout: "transposed" }];
  return [
    same("wte.weight", "tokenEmbedding"),
    same("wpe.weight", "positionEmbedding"),
    ...blocks.flat(),
    ...norm("ln_f", "finalNorm"),
    ...head,
  ];
}

function parameter(model: GPT, name: string): tf.Variable {
  const variable = model.parameters.get(name);
  if (variable === undefined) throw new Error(`the model has no parameter ${name}`);
  return variable;
}

/** The Hugging Face tensor's shape, from the core parameters' shapes. */
function hfShape(model: GPT, mapping: TensorMapping): number[] {
  const shapes = mapping.core.map((name) => parameter(model, name).shape);
  const first = shapes[0] as number[];
  if (mapping.layout === "transposed") return [...first].reverse();
  const last = shapes.reduce((sum, shape) => sum + (shape.at(-1) as number), 0);
  return [...first.slice(0, -1), last];
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
  const stored = withoutPrefix(readWeights(files));
  const model = createGPT(config, 0);
  try {
    const mappings = tensorMappings(config);
    checkTensors(stored, mappings, model);
    tf.tidy(() => {
      for (const mapping of mappings) {
        const tensor = stored.get(mapping.hf) as StoredTensor;
        const values = tf.tensor(float32Values(tensor, mapping.hf), tensor.shape);
        const parts =
          mapping.layout === "same"
            ? [values]
            : mapping.layout === "fused"
              ? tf.split(values, mapping.core.length, -1)
              : [tf.transpose(values)];
        mapping.core.forEach((name, i) => {
          parameter(model, name).assign(parts[i] as tf.Tensor);
        });
      }
    });
  } catch (error) {
    disposeGPT(model);
    throw error;
  }
  return model;
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

/** Refuses missing, misshapen and unknown tensors, listing every one. */
function checkTensors(stored: Map<string, StoredTensor>, mappings: TensorMapping[], model: GPT) {
  const problems: string[] = [];
  for (const mapping of mappings) {
    const tensor = stored.get(mapping.hf);
    const expected = hfShape(model, mapping);
    if (tensor === undefined) problems.push(`tensor "${mapping.hf}" is missing`);
    else if (!tf.util.arraysEqual(tensor.shape, expected)) {
      problems.push(
        `tensor "${mapping.hf}" has shape [${tensor.shape}], but config.json implies [${expected}]`,
      );
    }
  }
  const known = new Set(mappings.map((mapping) => mapping.hf));
  // A tied head is wte itself: transformers ignores a stored lm_head.weight, and so do we.
  if (model.config.tieEmbeddings) known.add("lm_head.weight");
  const unknown = [...stored.keys()].filter((name) => !known.has(name) && !MASK_BUFFER.test(name));
  if (unknown.length > 0) {
    problems.push(`tensors ${unknown.map((name) => `"${name}"`).join(", ")} are not GPT-2's`);
  }
  if (problems.length > 0) {
    throw new Error(`the weights do not fit config.json: ${problems.join("; ")}`);
  }
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
  const tensors = tensorMappings(model.config).map((mapping): [string, Float32Tensor] => {
    const parts = mapping.core.map((name) => parameter(model, name));
    const values = tf.tidy(() => {
      const joined =
        mapping.layout === "same"
          ? (parts[0] as tf.Tensor)
          : mapping.layout === "fused"
            ? tf.concat(parts, -1)
            : tf.transpose(parts[0] as tf.Tensor);
      return joined.dataSync() as Float32Array;
    });
    const name = mapping.hf.startsWith("lm_head") ? mapping.hf : `${PREFIX}${mapping.hf}`;
    return [name, { shape: hfShape(model, mapping), values }];
  });
  const generation = {
    _from_model_config: true,
    bos_token_id: tokens.bosTokenId,
    eos_token_id: tokens.eosTokenId,
  };
  const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  return new Map([
    ["config.json", json(hfConfig)],
    // transformers refuses safetensors without a "format" in their metadata.
    [WEIGHTS_FILE, writeSafetensors(tensors, { format: "pt" })],
    ["generation_config.json", json(generation)],
  ]);
}
