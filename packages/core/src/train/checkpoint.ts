/**
 * Checkpoints.
 *
 * A checkpoint is one byte array that resumes training exactly:
 *
 *   "ATTUNECK" | format version (uint32 LE) | header length (uint32 LE) | header (UTF-8 JSON) | tensors
 *
 * The header holds the model config, trainer state (step, tokens seen, dropout generator), the
 * optimizer config and step, the data sampler's state, the tokenizer's JSON, and the tfjs weights
 * manifest entries of the tensors; the tensors follow in tf.io.encodeWeights' layout (float32 LE,
 * concatenated in manifest order): parameters as "parameters/<name>", optimizer slots as
 * "optimizer/<slot>".
 *
 * A fine-tuned model's checkpoint (LoRA, or freeze mode) is the same with `finetune` in the header:
 * its tensors are the trained parameters alone (the adapters, or the unfrozen blocks), and it names
 * its base by the SHA-256 of the base's frozen weights (frozenWeightsHash). Loading it needs that
 * base, which the caller builds or loads; a base with other weights is refused.
 *
 * A model leaves Attune as a Hugging Face folder (trial/model-export.ts), not in a format of its own.
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenizerJson } from "../data/tokenizers.ts";
import type { GPTConfig } from "../model/config.ts";
import { createGPT, disposeGPT, type GPT, gptWithValues } from "../model/gpt.ts";
import { type Finetune, finetuneModel, frozenWeightsHash } from "./finetune.ts";
import type { OptimizerConfig } from "./optimizer-config.ts";
import { Optimizer } from "./optimizers.ts";
import type { TrainerState } from "./trainer.ts";

const MAGIC = "ATTUNECK";
const FORMAT_VERSION = 1;
const PREFIX_BYTES = MAGIC.length + 8;

interface CheckpointHeader {
  config: GPTConfig;
  trainer: TrainerState;
  optimizer: { config: OptimizerConfig; step: number };
  sampler: unknown;
  tokenizer: TokenizerJson | undefined;
  tensors: tf.io.WeightsManifestEntry[];
  /**
   * Only for a fine-tuned model: its mode, its base's frozen weights' hash and, for a base of
   * random weights, the seed that made them, from which loading rebuilds it.
   */
  finetune?: { plan: Exclude<Finetune, { mode: "full" }>; baseHash: string; baseSeed?: number };
}

export interface CheckpointInput {
  model: GPT;
  optimizer: Optimizer;
  trainer: TrainerState;
  /** The data sampler's getState(); must be JSON. */
  sampler: unknown;
  tokenizer?: TokenizerJson;
  /** How the model was fine-tuned; a LoRA or freeze checkpoint then saves the trained weights only. */
  finetune?: Finetune;
  /** The seed of the base's random weights (createGPT's), when it was not a pretrained model. */
  baseSeed?: number;
}

export interface RestoredCheckpoint {
  model: GPT;
  optimizer: Optimizer;
  trainer: TrainerState;
  sampler: unknown;
  tokenizer: TokenizerJson | undefined;
}

export async function saveCheckpoint(input: CheckpointInput): Promise<Uint8Array> {
  const tensors: tf.NamedTensorMap = {};
  for (const [name, parameter] of input.model.parameters) tensors[`parameters/${name}`] = parameter;
  for (const [name, slot] of input.optimizer.slots) tensors[`optimizer/${name}`] = slot;
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const header: CheckpointHeader = {
    config: input.model.config,
    trainer: input.trainer,
    optimizer: { config: input.optimizer.config, step: input.optimizer.step },
    sampler: input.sampler,
    tokenizer: input.tokenizer,
    tensors: specs,
    ...(input.finetune !== undefined &&
      input.finetune.mode !== "full" && {
        finetune: {
          plan: input.finetune,
          baseHash: frozenWeightsHash(input.model),
          ...(input.baseSeed !== undefined && { baseSeed: input.baseSeed }),
        },
      }),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(PREFIX_BYTES + headerBytes.length + data.byteLength);
  bytes.set(new TextEncoder().encode(MAGIC));
  const view = new DataView(bytes.buffer);
  view.setUint32(MAGIC.length, FORMAT_VERSION, true);
  view.setUint32(MAGIC.length + 4, headerBytes.length, true);
  bytes.set(headerBytes, PREFIX_BYTES);
  bytes.set(new Uint8Array(data), PREFIX_BYTES + headerBytes.length);
  return bytes;
}

/** The model and optimizer configs a checkpoint was saved with, read from its header alone. */
export function checkpointConfigs(bytes: Uint8Array): {
  model: GPTConfig;
  optimizer: OptimizerConfig;
  finetune: Finetune;
} {
  const { header } = readCheckpoint(bytes);
  const finetune = header.finetune?.plan ?? { mode: "full" };
  return { model: header.config, optimizer: header.optimizer.config, finetune };
}

/**
 * Rebuilds the model and optimizer with their saved values; the caller restores trainer and
 * sampler. `rebuildWith` gives configs to build them with instead of the saved ones (a resumed
 * trial whose dropout or optimizer constants changed): the saved tensors must still fit. A
 * fine-tuned model's checkpoint needs its `base`, which the restored model then shares; one whose
 * base was random weights rebuilds it from their seed when none is given.
 */
export function loadCheckpoint(
  bytes: Uint8Array,
  rebuildWith?: { model: GPTConfig; optimizer: OptimizerConfig; finetune?: Finetune },
  base?: GPT,
): RestoredCheckpoint {
  const { header, data } = readCheckpoint(bytes);
  const baseSeed = header.finetune?.baseSeed;
  const tensors = tf.io.decodeWeights(data, header.tensors);
  let model: GPT;
  try {
    // A whole model is built from its saved values; a fine-tuned one's trained part is assigned.
    model =
      header.finetune === undefined
        ? gptWithValues(rebuildWith?.model ?? header.config, (name, shape) =>
            savedTensor(tensors, `parameters/${name}`, shape),
          )
        : finetunedBase(
            header.finetune,
            base ?? (baseSeed === undefined ? undefined : createGPT(header.config, baseSeed)),
            rebuildWith?.finetune,
          );
  } catch (error) {
    tf.dispose(tensors);
    throw error;
  }
  const optimizer = new Optimizer(
    rebuildWith?.optimizer ?? header.optimizer.config,
    model.parameters,
  );
  try {
    if (header.finetune !== undefined) assignAll(model.parameters, tensors, "parameters/");
    assignAll(optimizer.slots, tensors, "optimizer/");
  } catch (error) {
    if (header.finetune === undefined) disposeGPT(model);
    else if (header.finetune.plan.mode === "lora") disposeGPT(model); // the adapters, not the base
    optimizer.dispose();
    throw error;
  } finally {
    tf.dispose(tensors);
  }
  optimizer.step = header.optimizer.step;
  return {
    model,
    optimizer,
    trainer: header.trainer,
    sampler: header.sampler,
    tokenizer: header.tokenizer,
  };
}

/** The base, checked against the checkpoint's hash, made ready for its trained weights. */
function finetunedBase(
  finetune: NonNullable<CheckpointHeader["finetune"]>,
  base: GPT | undefined,
  rebuildWith: Finetune | undefined,
) {
  const mode = finetune.plan.mode;
  if (rebuildWith !== undefined && rebuildWith.mode !== mode) {
    throw new Error(`the checkpoint was fine-tuned with finetune ${mode}, not ${rebuildWith.mode}`);
  }
  if (base === undefined) {
    throw new Error(
      `this checkpoint holds the ${mode === "lora" ? "LoRA adapters" : "unfrozen blocks"} of a fine-tuned model only: loading it needs its base model (frozen weights' SHA-256 ${finetune.baseHash})`,
    );
  }
  const model = finetuneModel(base, rebuildWith ?? finetune.plan, 0);
  const hash = frozenWeightsHash(model);
  if (hash !== finetune.baseHash) {
    if (mode === "lora") disposeGPT(model);
    throw new Error(
      `the base model given is not this checkpoint's: its frozen weights' SHA-256 is ${hash}, the checkpoint's base has ${finetune.baseHash}`,
    );
  }
  return model;
}

/**
 * A copy of the bytes in an ArrayBuffer of their own, starting at offset 0. Not `bytes.slice()`:
 * a Node Buffer (what the database returns) slices without copying, sharing its pool.
 */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

function readCheckpoint(bytes: Uint8Array): { header: CheckpointHeader; data: ArrayBuffer } {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.length < PREFIX_BYTES || magic !== MAGIC) {
    throw new Error(`not an Attune checkpoint: it does not start with "${MAGIC}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(MAGIC.length, true);
  if (version !== FORMAT_VERSION) {
    throw new Error(
      `checkpoint format version ${version} is not supported (expected ${FORMAT_VERSION})`,
    );
  }
  const headerLength = view.getUint32(MAGIC.length + 4, true);
  const dataStart = PREFIX_BYTES + headerLength;
  if (dataStart > bytes.length) {
    throw new Error(
      `checkpoint is truncated: its header needs ${dataStart} bytes, it has ${bytes.length}`,
    );
  }
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, dataStart)),
  ) as CheckpointHeader;
  return { header, data: ownBuffer(bytes.subarray(dataStart)) };
}

function assignAll(targets: Map<string, tf.Variable>, tensors: tf.NamedTensorMap, prefix: string) {
  for (const [name, variable] of targets) {
    variable.assign(savedTensor(tensors, `${prefix}${name}`, variable.shape));
  }
}

/** The checkpoint's tensor of that name, which must have the shape the model expects. */
function savedTensor(tensors: tf.NamedTensorMap, name: string, shape: number[]): tf.Tensor {
  const saved = tensors[name];
  if (saved === undefined) throw new Error(`checkpoint has no tensor ${name}`);
  if (!tf.util.arraysEqual(saved.shape, shape)) {
    throw new Error(
      `checkpoint tensor ${name} has shape [${saved.shape}], the model expects [${shape}]`,
    );
  }
  return saved;
}
