/**
 * LoRA adapters and freeze mode, on the plain tf ops (cpu backend) and on the native kernels (wasm
 * with @attune/native, where installed): merged weights compute what the adapters compute, the
 * frozen ops' input gradients equal the regular ops', only the trained parameters get gradients and
 * optimizer state, and training leaves frozen weights bit-identical.
 */
import { enableNativeKernels } from "@attune/native";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { WindowSampler } from "../../src/data/batches.ts";
import type { GPTConfigInput } from "../../src/model/config.ts";
import { weightVariables } from "../../src/model/frozen-weights.ts";
import {
  createGPT,
  disposeGPT,
  type GPT,
  languageModelLogits,
  languageModelLoss,
} from "../../src/model/gpt.ts";
import { addLora, mergeLora } from "../../src/model/lora.ts";
import { type LoraConfig, loraTargets } from "../../src/model/lora-config.ts";
import { Random } from "../../src/random.ts";
import { selectBackend } from "../../src/train/backend.ts";
import { freezeAllBut } from "../../src/train/finetune.ts";
import { Optimizer } from "../../src/train/optimizers.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { randomizeWeights, randomTokens } from "./small-models.ts";

const small: GPTConfigInput = { vocabSize: 20, seqLen: 8, layers: 2, dModel: 16, heads: 2 };
const lora: LoraConfig = {
  rank: 4,
  alpha: 8,
  dropout: 0,
  targets: ["query", "value"],
  rslora: false,
};

const models: GPT[] = [];
afterEach(() => {
  for (const model of models.splice(0)) {
    disposeGPT(model);
  }
});
function created(config: Partial<GPTConfigInput> = {}): GPT {
  const model = createGPT({ ...small, ...config }, 1);
  randomizeWeights(model, new Random(2), 0.3);
  models.push(model);
  return model;
}
function adapted(base: GPT, config: LoraConfig = lora): GPT {
  const model = addLora(base, config, 3);
  models.push(model);
  return model;
}
/** Gives every adapter B random values: at B = 0 an adapter changes nothing there is to check. */
function randomizeAdapters(model: GPT) {
  randomizeWeights(model, new Random(4), 0.3);
}

const random = new Random(5);
const tokens = randomTokens(random, 2 * small.seqLen, small.vocabSize);
const targets = randomTokens(random, 2 * small.seqLen, small.vocabSize);
const batch = { inputs: tokens, targets, batchSize: 2 };

const logits = (model: GPT) =>
  tf.tidy(() => [...languageModelLogits(model, tokens, batch.batchSize).dataSync()]);
const valuesOf = (variables: Iterable<tf.Variable>) => [...variables].map((v) => [...v.dataSync()]);

/** Gradients of the loss for `variables`, or null for those it gives none. */
function gradients(model: GPT, variables: tf.Variable[]): (number[] | null)[] {
  let values: (number[] | null)[] = [];
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => languageModelLoss(model, batch), variables);
    values = variables.map((v) =>
      grads[v.name] ? [...(grads[v.name] as tf.Tensor).dataSync()] : null,
    );
  });
  return values;
}

/** Gradients of `variables` through the regular ops: the base briefly marked trainable again. */
function gradientsUnfrozen(model: GPT, base: GPT, variables: tf.Variable[]) {
  const frozen = weightVariables(base.weights as never).filter(([, v]) => !v.trainable);
  for (const [, v] of frozen) v.trainable = true;
  try {
    return gradients(model, variables);
  } finally {
    for (const [, v] of frozen) v.trainable = false;
  }
}

function expectClose(actual: number[][], expected: number[][], tolerance = 1e-5) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => {
    const reference = expected[i] as number[];
    const scale = Math.max(1, ...reference.map(Math.abs));
    values.forEach((value, j) => {
      expect(Math.abs(value - (reference[j] as number))).toBeLessThanOrEqual(tolerance * scale);
    });
  });
}

function train(model: GPT, steps: number): Optimizer {
  const optimizer = new Optimizer({ kind: "adamw", weightDecay: 0.1 }, model.parameters);
  const trainer = new Trainer({
    model,
    optimizer,
    train: new WindowSampler(randomTokens(new Random(6), 400, small.vocabSize), {
      seqLen: small.seqLen,
      batchSize: 4,
      seed: 7,
    }),
    budget: { steps },
    learningRate: 1e-2,
    seed: 8,
  });
  for (let step = 0; step < steps; step++) {
    const report = trainer.trainStep();
    if ("diverged" in report) throw new Error(report.diverged);
  }
  return optimizer;
}

const nativeStatus = await (async () => {
  process.env.ATTUNE_TF_BACKEND = "wasm";
  await selectBackend();
  return enableNativeKernels();
})();

describe.each([
  ["plain tf ops (cpu)", "cpu"],
  ["native kernels (wasm)", "wasm"],
])("%s", (_, backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });
  const skip = backend === "wasm" && !nativeStatus.enabled;

  it.skipIf(skip)("starts from the base model's function: B is zero and A Kaiming-uniform", () => {
    const base = created();
    const before = logits(base);
    const model = adapted(base, { ...lora, targets: loraTargets });
    expectClose([logits(model)], [before], 1e-6);
    const [, a] = [...model.parameters].find(([name]) => name === "blocks.0.mlpIn.loraA") ?? [];
    const values = [...(a as tf.Variable).dataSync()];
    // PEFT's kaiming_uniform_(a=√5) on lora_A [r, in]: U(-1/√in, 1/√in), in = dModel here.
    const bound = 1 / Math.sqrt(16);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    const b = model.parameters.get("blocks.1.mlpOut.loraB") as tf.Variable;
    expect([...b.dataSync()].every((value) => value === 0)).toBe(true);
    expect(b.shape).toEqual([4, 16]);
  });

  it.skipIf(skip)("merged weights give the adapted model's logits", () => {
    for (const rslora of [false, true]) {
      for (const activation of ["gelu", "relu", "swiglu"] as const) {
        const model = adapted(created({ activation }), { ...lora, targets: loraTargets, rslora });
        randomizeAdapters(model);
        const before = tf.memory().numTensors;
        const merged = mergeLora(model);
        models.push(merged);
        expect(tf.memory().numTensors - before).toBe(merged.parameters.size);
        expectClose([logits(merged)], [logits(model)], 1e-5);
        expect([...merged.parameters.keys()]).toEqual([
          ...created({ activation }).parameters.keys(),
        ]);
      }
    }
  });

  it.skipIf(skip)("adapts SwiGLU's gate as an MLP target; a model without a gate skips it", () => {
    const mlp: LoraConfig = { ...lora, targets: ["mlpGate", "mlpIn", "mlpOut"] };
    const swiglu = adapted(created({ activation: "swiglu" }), mlp);
    expect([...swiglu.parameters.keys()].filter((name) => name.startsWith("blocks.0."))).toEqual([
      "blocks.0.mlpGate.loraA",
      "blocks.0.mlpGate.loraB",
      "blocks.0.mlpIn.loraA",
      "blocks.0.mlpIn.loraB",
      "blocks.0.mlpOut.loraA",
      "blocks.0.mlpOut.loraB",
    ]);
    // The gate's adapter alone changes the output: its update goes through the forward pass.
    const gate = adapted(created({ activation: "swiglu" }), { ...lora, targets: ["mlpGate"] });
    const before = logits(gate);
    randomizeAdapters(gate);
    expect(logits(gate)).not.toEqual(before);
    const gelu = adapted(created(), mlp);
    expect([...gelu.parameters.keys()].some((name) => name.includes("mlpGate"))).toBe(false);
    expect(gelu.parameters.size).toBe(2 * 2 * 2);
    expect(() => addLora(created(), { ...lora, targets: ["mlpGate"] }, 3)).toThrow(
      /none of the LoRA targets mlpGate/,
    );
  });

  it.skipIf(skip)("gives gradients to the adapters only, equal to the regular ops'", () => {
    for (const config of [{}, { tieEmbeddings: false }, { activation: "swiglu" as const }]) {
      const base = created(config);
      const model = adapted(base, { ...lora, targets: loraTargets });
      randomizeAdapters(model);
      const adapters = [...model.parameters.values()];
      const baseVariables = weightVariables(base.weights as never).map(([, v]) => v);
      const all = gradients(model, [...baseVariables, ...adapters]);
      expect(all.slice(0, baseVariables.length).every((g) => g === null)).toBe(true);
      const expected = gradientsUnfrozen(model, base, adapters) as number[][];
      expectClose(all.slice(baseVariables.length) as number[][], expected, 1e-4);
      expect(expected.some((g) => g.some((value) => value !== 0))).toBe(true);
    }
  });

  it.skipIf(skip)("trains the adapters and leaves the base bit-identical", () => {
    const base = created({ dropout: 0.1 });
    const baseVariables = weightVariables(base.weights as never).map(([, v]) => v);
    const before = valuesOf(baseVariables);
    const model = adapted(base, { ...lora, dropout: 0.1 });
    const optimizer = train(model, 3);
    expect(valuesOf(baseVariables)).toEqual(before);
    expect([...optimizer.slots.keys()].every((name) => /\.lora[AB]\.(m|v)$/.test(name))).toBe(true);
    expect(optimizer.slots.size).toBe(2 * 2 * 2 * 2);
    const b = model.parameters.get("blocks.0.value.loraB") as tf.Variable;
    expect([...b.dataSync()].some((value) => value !== 0)).toBe(true);
  });

  it.skipIf(skip)("freeze mode trains the last blocks and the final norm alone", () => {
    const base = created({ tieEmbeddings: false });
    const all = weightVariables(base.weights as never);
    const model = freezeAllBut(base, 1);
    const trained = [...model.parameters.keys()];
    expect(trained).toEqual(
      all
        .map(([name]) => name)
        .filter((name) => /^(blocks\.1\.|finalNorm\.|outputHead)/.test(name)),
    );
    const trainedVariables = [...model.parameters.values()];
    const frozen = all.map(([, v]) => v).filter((v) => !trainedVariables.includes(v));
    const expected = gradientsUnfrozen(model, base, trainedVariables) as number[][];
    expectClose(gradients(model, trainedVariables) as number[][], expected, 1e-4);
    const before = valuesOf(frozen);
    const optimizer = train(model, 2);
    expect(valuesOf(frozen)).toEqual(before);
    expect(optimizer.slots.size).toBe(2 * trained.length);
    expect(() => freezeAllBut(base, 3)).toThrow(/freeze_trainable_blocks .* 0 to the model's 2/);
  });
});
