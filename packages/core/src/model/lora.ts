/**
 * LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"): a projection
 * y = x·W + b of a frozen base model gains a trainable low-rank update,
 * y = x·W + b + (dropout(x)·A·B)·scaling, with A [in, r] and B [r, out] (core's [in, out] layout;
 * PEFT stores them transposed, see peft-lora.ts). A starts Kaiming-uniform and B at zero, as
 * PEFT's `LoraLayer.reset_lora_parameters`, so training starts from the base model's function.
 *
 * `addLora` returns a GPT that shares the base's tensors (never copied) and whose `parameters` are
 * only the adapters: the trainer, optimizer and checkpoints, which all work from `parameters`, then
 * train, hold moments for and save the adapters alone. The base's variables are marked untrainable,
 * so the projections skip their weight gradients (frozen-ops.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { Random } from "../random.ts";
import { freezeVariables, type WeightTree, weightVariables } from "./frozen-weights.ts";
import type { BlockWeights, GPT, GPTWeights, Linear } from "./gpt.ts";
import {
  checkLoraConfig,
  type LoraConfig,
  type LoraTarget,
  loraScaling,
  loraTargets,
} from "./lora-config.ts";
import { matmul } from "./ops.ts";
import type { Float32Tensor } from "./safetensors.ts";

export interface LoraAdapter {
  /** [in, rank] */
  a: tf.Variable<tf.Rank.R2>;
  /** [rank, out] */
  b: tf.Variable<tf.Rank.R2>;
  scaling: number;
  dropout: number;
  /**
   * Seeds the adapter's dropout mask: adapters reading the same input (query, key and value) share
   * it, as PEFT's one dropout on GPT-2's fused c_attn input does.
   */
  dropoutSite: number;
}

/** Whether a forward pass trains, and its dropout seed: what an adapter's dropout needs. */
export interface AdapterForward {
  training?: boolean;
  dropoutSeed?: number;
}

/** Which input a target reads, for its dropout site: attention in, attention out, MLP in, MLP hidden. */
const INPUT_OF: Record<LoraTarget, number> = {
  query: 0,
  key: 0,
  value: 0,
  attentionOutput: 1,
  mlpGate: 2,
  mlpIn: 2,
  mlpOut: 3,
};

/**
 * The base model with adapters on `config.targets` of every block: A drawn from `seed`
 * Kaiming-uniform, B zero. A target the model lacks (mlpGate without SwiGLU) is skipped. Marks the
 * base's variables untrainable.
 */
export function addLora(base: GPT, config: LoraConfig, seed: number): GPT {
  checkLoraConfig(config);
  const random = new Random(seed);
  const scaling = loraScaling(config);
  const blocks = base.weights.blocks.map((block) => {
    const values: BlockAdapterValues = {};
    for (const target of config.targets) {
      const linear = block[target];
      if (linear === undefined) continue;
      const [inputs, outputs] = linear.weight.shape;
      // PEFT: kaiming_uniform_(lora_A.weight [r, in], a=√5), whose bound is 1/√fan_in = 1/√in.
      const bound = 1 / Math.sqrt(inputs);
      const a = Float32Array.from({ length: inputs * config.rank }, () =>
        random.uniform(-bound, bound),
      );
      values[target] = {
        a: { shape: [inputs, config.rank], values: a },
        b: { shape: [config.rank, outputs], values: new Float32Array(config.rank * outputs) },
        scaling,
        dropout: config.dropout,
      };
    }
    return values;
  });
  if (blocks.every((values) => Object.keys(values).length === 0)) {
    throw new Error(`this model has none of the LoRA targets ${config.targets.join(", ")}`);
  }
  return attachAdapters(base, blocks);
}

/** An adapter's values: A [in, r] and B [r, out], of any rank r. */
export interface AdapterValues {
  a: Float32Tensor;
  b: Float32Tensor;
  scaling: number;
  dropout: number;
}
export type BlockAdapterValues = Partial<Record<LoraTarget, AdapterValues>>;

/**
 * The base model with the given adapters (one record per block) as its only parameters, named
 * "blocks.{i}.{target}.loraA" and ".loraB". Marks the base's variables untrainable.
 */
export function attachAdapters(base: GPT, values: BlockAdapterValues[]): GPT {
  freezeVariables(base.weights as unknown as WeightTree);
  const parameters = new Map<string, tf.Variable>();
  const variable = (name: string, { shape, values }: Float32Tensor) => {
    const created = tf.tidy(() =>
      tf.variable(tf.tensor2d(values, shape as [number, number]), true),
    ) as tf.Variable<tf.Rank.R2>;
    parameters.set(name, created);
    return created;
  };
  const blocks = base.weights.blocks.map((block, i) => {
    const adapted: Partial<BlockWeights> = {};
    for (const [target, adapter] of Object.entries(values[i] ?? {}) as [
      LoraTarget,
      AdapterValues,
    ][]) {
      const linear = block[target];
      if (linear === undefined) {
        throw new Error(`block ${i} has no ${target} projection for an adapter (no SwiGLU gate)`);
      }
      const [inputs, outputs] = linear.weight.shape;
      const [aShape, bShape] = [adapter.a.shape, adapter.b.shape];
      if (aShape[0] !== inputs || bShape[1] !== outputs || aShape[1] !== bShape[0]) {
        throw new Error(
          `block ${i}'s ${target} adapter: A [${aShape}] and B [${bShape}] do not fit its [${inputs}, ${outputs}] weight`,
        );
      }
      const name = `blocks.${i}.${target}`;
      const lora = {
        a: variable(`${name}.loraA`, adapter.a),
        b: variable(`${name}.loraB`, adapter.b),
        scaling: adapter.scaling,
        dropout: adapter.dropout,
        dropoutSite: 4 * i + INPUT_OF[target],
      };
      adapted[target] = { ...linear, lora };
    }
    return { ...block, ...adapted };
  });
  return { config: base.config, weights: { ...base.weights, blocks }, parameters };
}

/**
 * A projection's output plus its adapter's update (dropout(x)·A·B)·scaling, or the output as it is
 * without an adapter. Dropout only while training, seeded by the forward pass's seed and the site.
 */
export function withLora(
  output: tf.Tensor2D,
  x: tf.Tensor2D,
  adapter: LoraAdapter | undefined,
  forward: AdapterForward,
): tf.Tensor2D {
  if (adapter === undefined) return output;
  const dropped =
    forward.training && adapter.dropout > 0
      ? (tf.dropout(
          x,
          adapter.dropout,
          undefined,
          (forward.dropoutSeed ?? 0) + 7919 * (adapter.dropoutSite + 1),
        ) as tf.Tensor2D)
      : x;
  const update = matmul(matmul(dropped, adapter.a), adapter.b);
  return tf.add(output, tf.mul(update, adapter.scaling));
}

/**
 * A plain GPT computing what the adapted one does: each adapted weight becomes W + scaling·A·B
 * (A·B is [in, out], the layout of GPT-2's Conv1D weights that core keeps), every other weight a
 * copy. The result owns its variables: dispose it with disposeGPT.
 */
export function mergeLora(model: GPT): GPT {
  const parameters = new Map<string, tf.Variable>();
  const copy = (name: string, tensor: tf.Tensor) => {
    // tidy releases the clone; the variable keeps its data.
    const created = tf.tidy(() => tf.variable(tensor.clone(), true));
    parameters.set(name, created);
    return created;
  };
  const copyTree = <T>(tree: T, path: string): T =>
    Object.fromEntries(
      Object.entries(tree as object).map(([key, value]) => {
        const name = `${path}${key}`;
        if (value === undefined || key === "lora") return [key, undefined];
        if (value instanceof tf.Tensor) return [key, copy(name, value)];
        return [key, copyTree(value, `${name}.`)];
      }),
    ) as T;
  const { blocks, ...rest } = model.weights;
  const merged: GPTWeights = {
    ...copyTree(rest, ""),
    blocks: blocks.map((block, i) => {
      const plain = copyTree(block, `blocks.${i}.`);
      for (const { target, adapter } of adaptersOf(model).filter((a) => a.block === i)) {
        const linear = plain[target] as Linear;
        const update = tf.tidy(() =>
          tf.add(linear.weight, tf.mul(matmul(adapter.a, adapter.b), adapter.scaling)),
        );
        linear.weight.assign(update as tf.Tensor2D);
        update.dispose();
      }
      return plain;
    }),
  };
  return { config: model.config, weights: merged, parameters: ordered(parameters, model) };
}

/** The merged parameters in createGPT's order (the base's own variable order). */
function ordered(parameters: Map<string, tf.Variable>, model: GPT): Map<string, tf.Variable> {
  const names = weightVariables(model.weights as unknown as WeightTree).map(([name]) => name);
  return new Map(names.map((name) => [name, parameters.get(name) as tf.Variable]));
}

/** The adapters' variables of a model made by addLora, by block and target. */
export function adaptersOf(
  model: GPT,
): { block: number; target: LoraTarget; adapter: LoraAdapter }[] {
  return model.weights.blocks.flatMap((block, i) =>
    loraTargets.flatMap((target) => {
      const adapter = block[target]?.lora;
      return adapter === undefined ? [] : [{ block: i, target, adapter }];
    }),
  );
}
