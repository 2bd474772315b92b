/**
 * The GPT's weights: which exist for a config, their names and their initialisation.
 */
import * as tf from "@tensorflow/tfjs";
import { Random } from "../random.ts";
import type { AttentionWeights } from "./attention.ts";
import { type GPTConfig, headDim, mlpWidth, parseConfig } from "./config.ts";
import type { Linear } from "./linear.ts";
import type { MlpWeights } from "./mlp.ts";
import type { Norm } from "./norm.ts";

export type { Linear } from "./linear.ts";
export type { Norm } from "./norm.ts";

export interface BlockWeights extends AttentionWeights, MlpWeights {
  attentionNorm: Norm;
  mlpNorm: Norm;
}

export interface GPTWeights {
  tokenEmbedding: tf.Variable<tf.Rank.R2>;
  /** Only with learned positions. */
  positionEmbedding: tf.Variable<tf.Rank.R2> | undefined;
  blocks: BlockWeights[];
  /** Only with pre-norm: post-norm blocks already end in a norm. */
  finalNorm: Norm | undefined;
  /** [dModel, vocabSize]; only for a language model with untied embeddings. */
  outputHead: tf.Variable<tf.Rank.R2> | undefined;
  /** Only for a classifier. */
  classifier: Linear | undefined;
}

export interface GPT {
  config: GPTConfig;
  weights: GPTWeights;
  /** Every trainable variable by a stable name ("blocks.0.query.weight"), in creation order. */
  parameters: Map<string, tf.Variable>;
}

/** GPT-2's initialisation: N(0, 0.02), residual output projections scaled by 1/√(2·layers). */
const INIT_STD = 0.02;

export function createGPT(configInput: unknown, seed: number): GPT {
  const random = new Random(seed);
  return buildGPT(configInput, (_name, shape, init) => {
    const size = shape.reduce((product, n) => product * n, 1);
    const values =
      init.kind === "normal"
        ? normalValues(random, size, init.std)
        : new Float32Array(size).fill(init.value);
    return tf.tensor(values, shape);
  });
}

/**
 * A GPT of given values (a checkpoint's, a Hugging Face model's), without drawing initial ones
 * first: `valueFor` gives each parameter's by name, and throws for one it lacks. The model's
 * variables share the values' data, so the caller may dispose them afterwards.
 */
export function gptWithValues(
  configInput: unknown,
  valueFor: (name: string, shape: number[]) => tf.Tensor,
): GPT {
  return buildGPT(configInput, (name, shape) => {
    const value = valueFor(name, shape);
    if (!tf.util.arraysEqual(value.shape, shape)) {
      throw new Error(`${name} has shape [${value.shape}], the model expects [${shape}]`);
    }
    return value;
  });
}

function buildGPT(
  configInput: unknown,
  valueFor: (name: string, shape: number[], init: Init) => tf.Tensor,
): GPT {
  const config = parseConfig(configInput);
  const parameters = new Map<string, tf.Variable>();
  try {
    const weights = layOut(config, (name, shape, init) => {
      // tidy releases a value made here; the variable keeps its data.
      const created = tf.tidy(() => tf.variable(valueFor(name, shape, init), true));
      parameters.set(name, created);
      return created;
    });
    return { config, weights: weights as GPTWeights, parameters };
  } catch (error) {
    for (const parameter of parameters.values()) parameter.dispose();
    throw error;
  }
}

/**
 * The shape of every parameter of a config, by name in creation order, without allocating any:
 * what a checkpoint's tensors must fit.
 */
export function parameterShapes(configInput: unknown): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  layOut(parseConfig(configInput), (name, shape) => {
    shapes.set(name, shape);
    return shape;
  });
  return shapes;
}

type Init = { kind: "normal"; std: number } | { kind: "filled"; value: number };

/**
 * The weights of a config, each made by `make` in a fixed order (the order a seed draws them in);
 * createGPT makes variables, parameterShapes only notes shapes.
 */
function layOut<Leaf>(
  config: GPTConfig,
  make: (name: string, shape: number[], init: Init) => Leaf,
) {
  const d = config.dModel;
  const kvWidth = config.kvHeads * headDim(config);
  const hidden = mlpWidth(config);
  const residualStd = INIT_STD / Math.sqrt(2 * config.layers);

  const normal = (name: string, shape: [number, number], std: number) =>
    make(name, shape, { kind: "normal", std });
  const filled = (name: string, size: number, value: number) =>
    make(name, [size], { kind: "filled", value });
  const linear = (name: string, inputs: number, outputs: number, std = INIT_STD) => ({
    weight: normal(`${name}.weight`, [inputs, outputs], std),
    bias: config.bias ? filled(`${name}.bias`, outputs, 0) : undefined,
  });
  const norm = (name: string) => ({
    gain: filled(`${name}.gain`, d, 1),
    bias: config.normalization === "layernorm" ? filled(`${name}.bias`, d, 0) : undefined,
  });

  const tokenEmbedding = normal("tokenEmbedding", [config.vocabSize, d], INIT_STD);
  const positionEmbedding =
    config.positions === "learned"
      ? normal("positionEmbedding", [config.seqLen, d], INIT_STD)
      : undefined;
  const blocks = Array.from({ length: config.layers }, (_, i) => ({
    attentionNorm: norm(`blocks.${i}.attentionNorm`),
    query: linear(`blocks.${i}.query`, d, d),
    key: linear(`blocks.${i}.key`, d, kvWidth),
    value: linear(`blocks.${i}.value`, d, kvWidth),
    attentionOutput: linear(`blocks.${i}.attentionOutput`, d, d, residualStd),
    mlpNorm: norm(`blocks.${i}.mlpNorm`),
    mlpGate: config.activation === "swiglu" ? linear(`blocks.${i}.mlpGate`, d, hidden) : undefined,
    mlpIn: linear(`blocks.${i}.mlpIn`, d, hidden),
    mlpOut: linear(`blocks.${i}.mlpOut`, hidden, d, residualStd),
  }));
  const finalNorm = config.norm === "pre" ? norm("finalNorm") : undefined;
  const isClassifier = config.numClasses !== undefined;
  const outputHead =
    !isClassifier && !config.tieEmbeddings
      ? normal("outputHead", [d, config.vocabSize], INIT_STD)
      : undefined;
  // The classifier keeps its bias whatever `bias` says: it is a head, not a block's projection.
  const classifier =
    config.numClasses !== undefined
      ? {
          weight: normal("classifier.weight", [d, config.numClasses], INIT_STD),
          bias: filled("classifier.bias", config.numClasses, 0),
        }
      : undefined;
  return { tokenEmbedding, positionEmbedding, blocks, finalNorm, outputHead, classifier };
}

export function disposeGPT(model: GPT) {
  for (const parameter of model.parameters.values()) parameter.dispose();
}

function normalValues(random: Random, size: number, std: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = random.normal(0, std);
  return values;
}
