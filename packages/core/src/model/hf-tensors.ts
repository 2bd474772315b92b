/**
 * Hugging Face tensors in and out of core's GPT parameters, shared by the architectures' importers
 * and exporters (hf-gpt2.ts, hf-llama.ts): each lists its TensorMappings, and the functions here
 * check, copy and write the tensors by them.
 */
import * as tf from "@tensorflow/tfjs";
import type { GPTConfig } from "./config.ts";
import { WEIGHTS_FILE } from "./hf-folder.ts";
import {
  type Float32Tensor,
  float32Values,
  type StoredTensor,
  writeSafetensors,
} from "./safetensors.ts";
import { createGPT, disposeGPT, type GPT } from "./weights.ts";

/** One Hugging Face tensor and the core parameters it holds. */
export interface TensorMapping {
  hf: string;
  core: string[];
  /**
   * same: one parameter as it is; fused: parameters side by side on the last axis; transposed: one
   * parameter transposed (nn.Linear's [out, in] against core's [in, out]).
   */
  layout: "same" | "fused" | "transposed";
}

export interface GenerationTokens {
  bosTokenId?: number;
  eosTokenId?: number;
}

/** How an architecture's checkpoints name and hold their tensors, beyond its mappings. */
export interface CheckpointRules {
  /** "GPT-2", "Llama": for errors. */
  architecture: string;
  /** Stored tensors the import skips: saved buffers, a tied head's copy of the embedding. */
  skipped: (name: string) => boolean;
}

export function parameter(model: GPT, name: string): tf.Variable {
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
 * A GPT of `config` holding the stored tensors, after refusing missing, misshapen and unknown ones
 * (every one listed in one error).
 */
export function loadGPT(
  config: GPTConfig,
  stored: Map<string, StoredTensor>,
  mappings: TensorMapping[],
  rules: CheckpointRules,
): GPT {
  const model = createGPT(config, 0);
  try {
    checkTensors(stored, mappings, model, rules);
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

function checkTensors(
  stored: Map<string, StoredTensor>,
  mappings: TensorMapping[],
  model: GPT,
  rules: CheckpointRules,
) {
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
  const unknown = [...stored.keys()].filter((name) => !known.has(name) && !rules.skipped(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `"${name}"`).join(", ");
    problems.push(`tensors ${names} are not ${rules.architecture}'s`);
  }
  if (problems.length > 0) {
    throw new Error(`the weights do not fit config.json: ${problems.join("; ")}`);
  }
}

/** The model's parameters as Hugging Face tensors, named by `name` from the mapping's name. */
export function hfTensors(
  model: GPT,
  mappings: TensorMapping[],
  name: (hf: string) => string = (hf) => hf,
): [string, Float32Tensor][] {
  return mappings.map((mapping) => {
    const parts = mapping.core.map((core) => parameter(model, core));
    const values = tf.tidy(() => {
      const joined =
        mapping.layout === "same"
          ? (parts[0] as tf.Tensor)
          : mapping.layout === "fused"
            ? tf.concat(parts, -1)
            : tf.transpose(parts[0] as tf.Tensor);
      return joined.dataSync() as Float32Array;
    });
    return [name(mapping.hf), { shape: hfShape(model, mapping), values }];
  });
}

/**
 * A Hugging Face model folder: config.json, model.safetensors (float32) and generation_config.json,
 * which transformers' `from_pretrained` reads.
 */
export function modelFolder(
  hfConfig: object,
  tensors: [string, Float32Tensor][],
  tokens: GenerationTokens,
): Map<string, Uint8Array> {
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
