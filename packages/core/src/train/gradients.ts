/**
 * The gradients of a training step: one batch's, or the mean of several microbatches' (gradient
 * accumulation) without holding more than one microbatch's activations.
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../model/gpt.ts";
import { variableGradients } from "./backprop.ts";
import { type Batch, batchMetrics } from "./evaluate.ts";
import { type Gradients, globalNorm } from "./optimizers.ts";

/**
 * Gradients of the mean loss over microbatches: each microbatch's gradients are added to a running
 * sum and released, so memory holds one microbatch's activations at a time. With `measureFirst`
 * (and two or more microbatches), also the global norm of the first microbatch's gradients.
 */
export function averagedGradients(
  model: GPT,
  batches: Batch[],
  seeds: number[],
  measureFirst = false,
): { loss: tf.Scalar; gradients: Gradients; firstNorm?: tf.Scalar } {
  const parameters = [...model.parameters];
  const variables = parameters.map(([, variable]) => variable);
  const gradientsOf = (batch: Batch, seed: number) =>
    variableGradients(() => batchMetrics(model, batch, { dropoutSeed: seed }).loss, variables);
  if (batches.length === 1) {
    // One batch: its gradients as they are, without the running sums' hundred-odd extra ops.
    const { value, grads } = gradientsOf(batches[0] as Batch, seeds[0] as number);
    return {
      loss: value,
      gradients: new Map(parameters.map(([name, v]) => [name, grads[v.name] as tf.Tensor])),
    };
  }
  let lossSum: tf.Scalar = tf.scalar(0);
  let gradientSums: tf.Tensor[] = variables.map((variable) => tf.zerosLike(variable));
  let firstNorm: tf.Scalar | undefined;
  batches.forEach((batch, i) => {
    const { value, grads } = gradientsOf(batch, seeds[i] as number);
    if (measureFirst && i === 0) {
      firstNorm = globalNorm(new Map(variables.map((v) => [v.name, grads[v.name] as tf.Tensor])));
    }
    const previous = [lossSum, ...gradientSums];
    lossSum = tf.add(lossSum, value);
    gradientSums = variables.map((variable, j) =>
      tf.add(gradientSums[j] as tf.Tensor, grads[variable.name] as tf.Tensor),
    );
    tf.dispose([value, ...Object.values(grads), ...previous]);
  });
  const count = batches.length;
  return {
    loss: tf.div(lossSum, count),
    gradients: new Map(
      parameters.map(([name], j) => [name, tf.div(gradientSums[j] as tf.Tensor, count)]),
    ),
    ...(firstNorm && { firstNorm }),
  };
}
