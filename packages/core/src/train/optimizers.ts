/**
 * Adam, AdamW and SGD with momentum over the model's named variables, written out in tf ops so that
 * every piece of optimizer state is a named tensor a checkpoint can save and restore exactly.
 * Update rules follow PyTorch's torch.optim (Adam, AdamW, SGD with dampening 0). With the native
 * kernels enabled, one native kernel applies Adam(W) to every parameter in place, and another
 * computes the global gradient norm.
 */
import { nativeOps } from "@attune/native";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import {
  type OptimizerConfig,
  type OptimizerConfigInput,
  optimizerConfigSchema,
} from "./optimizer-config.ts";

type AdamConfig = Exclude<OptimizerConfig, { kind: "sgd" }>;

export type Gradients = Map<string, tf.Tensor>;

export class Optimizer {
  readonly config: OptimizerConfig;
  /** Updates applied so far; Adam's bias correction uses it. */
  step = 0;
  /** Per-parameter state by name: "<parameter>.m" and ".v" for Adam(W), ".momentum" for SGD. */
  readonly slots = new Map<string, tf.Variable>();

  constructor(
    configInput: OptimizerConfigInput,
    private readonly parameters: Map<string, tf.Variable>,
  ) {
    const parsed = optimizerConfigSchema.safeParse(configInput);
    if (!parsed.success) {
      throw new Error(`invalid optimizer config: ${z.prettifyError(parsed.error)}`);
    }
    this.config = parsed.data;
    const slotNames = this.config.kind === "sgd" ? ["momentum"] : ["m", "v"];
    for (const [name, parameter] of parameters) {
      for (const slot of slotNames) {
        this.slots.set(
          `${name}.${slot}`,
          tf.tidy(() => tf.variable(tf.zerosLike(parameter), false)),
        );
      }
    }
  }

  /** One update of every parameter from its gradient. */
  apply(gradients: Gradients, learningRate: number) {
    this.step += 1;
    const native = nativeOps();
    if (native !== undefined && this.config.kind !== "sgd") {
      const { beta1, beta2, epsilon } = this.config;
      const slots = [...this.parameters].map(([name, parameter]) => ({
        parameter,
        gradient: this.gradient(gradients, name),
        m: this.slot(name, "m"),
        v: this.slot(name, "v"),
        decay: this.decay(parameter, learningRate),
      }));
      native.adamUpdateInPlace(slots, {
        beta1,
        beta2,
        epsilon,
        ...this.biasCorrection(this.config, learningRate),
      });
      return;
    }
    tf.tidy(() => {
      for (const [name, parameter] of this.parameters) {
        const gradient = this.gradient(gradients, name);
        parameter.assign(this.updated(name, parameter, gradient, learningRate));
      }
    });
  }

  private updated(
    name: string,
    parameter: tf.Variable,
    gradient: tf.Tensor,
    learningRate: number,
  ): tf.Tensor {
    const config = this.config;
    if (config.kind === "sgd") {
      const momentum = this.slot(name, "momentum");
      momentum.assign(tf.add(tf.mul(momentum, config.momentum), gradient));
      return tf.sub(parameter, tf.mul(momentum, learningRate));
    }
    const m = this.slot(name, "m");
    const v = this.slot(name, "v");
    const { stepSize, biasCorrection2Root } = this.biasCorrection(config, learningRate);
    const decay = this.decay(parameter, learningRate);
    m.assign(tf.add(tf.mul(m, config.beta1), tf.mul(gradient, 1 - config.beta1)));
    v.assign(tf.add(tf.mul(v, config.beta2), tf.mul(tf.mul(gradient, gradient), 1 - config.beta2)));
    const denominator = tf.add(tf.div(tf.sqrt(v), biasCorrection2Root), config.epsilon);
    const decayed = decay === 1 ? parameter : tf.mul(parameter, decay);
    return tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize));
  }

  /** Adam's bias-corrected step: lr · m̂ / (√v̂ + ε), m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t). */
  private biasCorrection({ beta1, beta2 }: AdamConfig, learningRate: number) {
    return {
      stepSize: learningRate / (1 - beta1 ** this.step),
      biasCorrection2Root: Math.sqrt(1 - beta2 ** this.step),
    };
  }

  /** AdamW's decoupled decay factor: matrices only. */
  private decay(parameter: tf.Variable, learningRate: number): number {
    const config = this.config;
    return config.kind === "adamw" && parameter.rank >= 2
      ? 1 - learningRate * config.weightDecay
      : 1;
  }

  private gradient(gradients: Gradients, name: string): tf.Tensor {
    const gradient = gradients.get(name);
    if (gradient === undefined) throw new Error(`no gradient for parameter ${name}`);
    return gradient;
  }

  private slot(name: string, slot: string): tf.Variable {
    const variable = this.slots.get(`${name}.${slot}`);
    if (variable === undefined) throw new Error(`optimizer has no ${slot} slot for ${name}`);
    return variable;
  }

  dispose() {
    for (const slot of this.slots.values()) slot.dispose();
  }
}

/**
 * Scales gradients so that their global L2 norm is at most maxNorm (as torch's clip_grad_norm_);
 * returns the new gradients and the norm before clipping.
 */
export function clipByGlobalNorm(
  gradients: Gradients,
  maxNorm: number,
): { gradients: Gradients; norm: tf.Scalar } {
  const norm = globalNorm(gradients);
  const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  const clipped = new Map([...gradients].map(([name, g]) => [name, tf.mul(g, scale)]));
  scale.dispose();
  return { gradients: clipped, norm };
}

export function globalNorm(gradients: Gradients): tf.Scalar {
  const native = nativeOps();
  if (native !== undefined) return native.globalNorm([...gradients.values()]);
  return tf.tidy(() => {
    const squares = [...gradients.values()].map((g) => tf.sum(tf.mul(g, g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}
