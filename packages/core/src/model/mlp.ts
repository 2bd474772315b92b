/**
 * The MLP of each block: act(x·W_in + b_in)·W_out + b_out with GELU (tanh form, as GPT-2) or ReLU,
 * or SwiGLU (Shazeer 2020, as Llama): (silu(x·W_gate) ⊙ x·W_in)·W_out, silu(g) = g·sigmoid(g).
 */
import * as tf from "@tensorflow/tfjs";
import type { GPTConfig } from "./config.ts";
import { type BiasedLinear, fusable, type Linear, project } from "./linear.ts";
import type { AdapterForward } from "./lora.ts";
import { gelu, geluMlp } from "./ops.ts";

export interface MlpWeights {
  mlpIn: Linear;
  /** Only for SwiGLU. */
  mlpGate: Linear | undefined;
  mlpOut: Linear;
}

export function mlp(
  x: tf.Tensor2D,
  weights: MlpWeights,
  config: GPTConfig,
  forward: AdapterForward = {},
): tf.Tensor2D {
  const { mlpIn, mlpGate, mlpOut } = weights;
  switch (config.activation) {
    case "gelu": {
      const layers = [mlpIn, mlpOut];
      if (fusable(layers)) {
        const [w1, w2] = layers as [BiasedLinear, BiasedLinear];
        return geluMlp(x, w1.weight, w1.bias, w2.weight, w2.bias);
      }
      return project(gelu(project(x, mlpIn, forward)), mlpOut, forward);
    }
    case "relu":
      return project(tf.relu(project(x, mlpIn, forward)), mlpOut, forward);
    case "swiglu":
      return project(
        swiglu(project(x, mlpGate as Linear, forward), project(x, mlpIn, forward)),
        mlpOut,
        forward,
      );
  }
}

/** silu(gate) ⊙ up, by autodiff of its plain tf ops. */
export function swiglu(gate: tf.Tensor2D, up: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
}
