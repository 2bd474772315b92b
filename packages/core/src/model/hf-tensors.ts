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
import { type GPT, gptWithValues, parameterShapes } from "./weights.ts";

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

/**
 * What an architecture's config.json makes of a checkpoint: core's config, the tensors' mappings,
 * and how the checkpoint names and holds its tensors beyond them.
 */
export interface CheckpointLayout {
  /** "GPT-2", "Llama": for errors. */
  architecture: string;
  config: GPTConfig;
  mappings: TensorMapping[];
  /** The mappings' name of a stored tensor (GPT-2 drops a "transformer." prefix). */
  storedName: (name: string) => string;
  /** Stored tensors the import skips: saved buffers, a tied head's copy of the embedding. */
  skipped: (name: string) => boolean;
}

export function parameter(model: GPT, name: string): tf.Variable {
  const variable = model.parameters.get(name);
  if (variable === undefined) throw new Error(`the model has no parameter ${name}`);
  return variable;
}

/** The Hugging Face tensor's shape, from the core parameters' shapes. */
function hfShape(parameters: ReadonlyMap<string, number[]>, mapping: TensorMapping): number[] {
  const shapes = mapping.core.map((name) => {
    const shape = parameters.get(name);
    if (shape === undefined) throw new Error(`the model has no parameter ${name}`);
    return shape;
  });
  const first = shapes[0] as number[];
  if (mapping.layout === "transposed") return [...first].reverse();
  const last = shapes.reduce((sum, shape) => sum + (shape.at(-1) as number), 0);
  return [...first.slice(0, -1), last];
}

/**
 * A GPT holding the stored tensors, after refusing missing, misshapen and unknown ones (every one
 * listed in one error), renamed by the layout's storedName.
 */
export function loadGPT(layout: CheckpointLayout, stored: Map<string, StoredTensor>): GPT {
  const tensors = renamed(stored, layout.storedName);
  checkTensorShapes(layout, new Map([...tensors].map(([name, tensor]) => [name, tensor.shape])));
  const values = new Map<string, tf.Tensor>();
  try {
    for (const mapping of layout.mappings) {
      const tensor = tensors.get(mapping.hf) as StoredTensor;
      tf.tidy(() => {
        const whole = tf.tensor(float32Values(tensor, mapping.hf), tensor.shape);
        const parts =
          mapping.layout === "same"
            ? [whole]
            : mapping.layout === "fused"
              ? tf.split(whole, mapping.core.length, -1)
              : [tf.transpose(whole)];
        for (const [i, name] of mapping.core.entries()) {
          values.set(name, tf.keep(parts[i] as tf.Tensor));
        }
      });
    }
    return gptWithValues(layout.config, (name) => {
      const value = values.get(name);
      if (value === undefined) throw new Error(`the checkpoint's layout maps nothing to ${name}`);
      return value;
    });
  } finally {
    tf.dispose([...values.values()]);
  }
}

/** The tensors by their mappings' names; two stored names for one tensor are refused. */
function renamed<T>(stored: ReadonlyMap<string, T>, storedName: (name: string) => string) {
  const tensors = new Map<string, T>();
  for (const [name, tensor] of stored) {
    const bare = storedName(name);
    if (tensors.has(bare)) {
      throw new Error(`the weights hold "${bare}" twice, under two names (the second "${name}")`);
    }
    tensors.set(bare, tensor);
  }
  return tensors;
}

/**
 * Refuses stored tensor shapes (by stored name) that do not fit the layout: missing, misshapen and
 * unknown tensors, every one listed in one error. Needs the shapes alone, as a safetensors header
 * gives them, so a server can check an upload without its weights.
 */
export function checkTensorShapes(
  layout: CheckpointLayout,
  storedShapes: ReadonlyMap<string, number[]>,
) {
  const shapes = renamed(storedShapes, layout.storedName);
  const parameters = parameterShapes(layout.config);
  const problems: string[] = [];
  for (const mapping of layout.mappings) {
    const shape = shapes.get(mapping.hf);
    const expected = hfShape(parameters, mapping);
    if (shape === undefined) problems.push(`tensor "${mapping.hf}" is missing`);
    else if (!tf.util.arraysEqual(shape, expected)) {
      problems.push(
        `tensor "${mapping.hf}" has shape [${shape}], but config.json implies [${expected}]`,
      );
    }
  }
  const known = new Set(layout.mappings.map((mapping) => mapping.hf));
  const unknown = [...shapes.keys()].filter((name) => !known.has(name) && !layout.skipped(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `"${name}"`).join(", ");
    problems.push(`tensors ${names} are not ${layout.architecture}'s`);
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
  const shapes = new Map([...model.parameters].map(([core, value]) => [core, value.shape]));
  return mappings.map((mapping) => {
    const parts = mapping.core.map((core) => parameter(model, core));
    const joined =
      mapping.layout === "same"
        ? (parts[0] as tf.Tensor)
        : mapping.layout === "fused"
          ? tf.concat(parts, -1)
          : tf.transpose(parts[0] as tf.Tensor);
    // Not returned from a tf.tidy: tidy walks what it returns, element by element.
    const values = joined.dataSync() as Float32Array;
    if (joined !== parts[0]) joined.dispose();
    return [name(mapping.hf), { shape: hfShape(shapes, mapping), values }];
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
