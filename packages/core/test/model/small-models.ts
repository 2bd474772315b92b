/** Small GPTs, random inputs and random weights for model tests. */
import * as tf from "@tensorflow/tfjs";
import { afterEach, expect } from "vitest";
import type { GPTConfigInput } from "../../src/model/config.ts";
import { createGPT, disposeGPT, type GPT } from "../../src/model/gpt.ts";
import type { Random } from "../../src/random.ts";

/** A builder of GPTs from `defaults` and a test's changes, disposing them after each test. */
export function smallModels(
  defaults: GPTConfigInput,
): (config: Partial<GPTConfigInput>, seed?: number) => GPT {
  const models: GPT[] = [];
  afterEach(() => {
    for (const model of models.splice(0)) disposeGPT(model);
  });
  return (config, seed = 1) => {
    const model = createGPT({ ...defaults, ...config }, seed);
    models.push(model);
    return model;
  };
}

export function randomTokens(random: Random, count: number, vocab: number): Int32Array {
  return Int32Array.from({ length: count }, () => random.int(0, vocab - 1));
}

/** Replaces every weight by N(0, std) draws, so that no gradient is trivially small or zero. */
export function randomizeWeights(model: GPT, random: Random, std: number) {
  tf.tidy(() => {
    for (const variable of model.parameters.values()) {
      const values = Float32Array.from({ length: variable.size }, () => random.normal(0, std));
      variable.assign(tf.tensor(values, variable.shape));
    }
  });
}

/** Two formulations of a model's loss give the same loss and the same gradient of every weight. */
export function expectSameLossAndGradients(
  model: GPT,
  fast: () => tf.Scalar,
  reference: () => tf.Scalar,
) {
  const variables = [...model.parameters.values()];
  const a = tf.variableGrads(fast, variables);
  const b = tf.variableGrads(reference, variables);
  expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0] as number, 5);
  for (const [name, variable] of model.parameters) {
    const fromA = Array.from((a.grads[variable.name] as tf.Tensor).dataSync());
    const fromB = (b.grads[variable.name] as tf.Tensor).dataSync();
    const worst = fromA.reduce((max, x, i) => Math.max(max, Math.abs(x - (fromB[i] as number))), 0);
    expect(worst, name).toBeLessThan(1e-5);
  }
  tf.dispose([a.value, b.value, a.grads, b.grads]);
}
