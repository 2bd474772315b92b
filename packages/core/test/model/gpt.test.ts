import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { ClassificationBatch, TokenBatch } from "../../src/data/batches.ts";
import type { GPTConfigInput } from "../../src/model/config.ts";
import {
  classificationLoss,
  createGPT,
  disposeGPT,
  type GPT,
  gptWithValues,
  languageModelLogits,
  languageModelLoss,
} from "../../src/model/gpt.ts";
import { referenceLanguageModelLoss } from "../../src/model/reference.ts";
import { Random } from "../../src/random.ts";
import { useWasmBackend } from "../tf-backend.ts";
import {
  expectSameLossAndGradients,
  randomizeWeights,
  randomTokens,
  smallModels,
} from "./small-models.ts";

useWasmBackend();

const build = smallModels({ vocabSize: 7, seqLen: 5, layers: 2, dModel: 8, heads: 2 });

function lmBatch(random: Random, batchSize: number, seqLen: number, vocab: number): TokenBatch {
  return {
    inputs: randomTokens(random, batchSize * seqLen, vocab),
    targets: randomTokens(random, batchSize * seqLen, vocab),
    batchSize,
  };
}

/**
 * Llama's architecture at this size; heads of 4 so that rotary's two frequencies depend on θ, and
 * SwiGLU's hidden width not a multiple of dModel.
 */
const llama: Partial<GPTConfigInput> = {
  dModel: 16,
  heads: 4,
  kvHeads: 2,
  normalization: "rmsnorm",
  positions: "rotary",
  ropeTheta: 500,
  activation: "swiglu",
  mlpHidden: 20,
  bias: false,
  tieEmbeddings: false,
  normEpsilon: 0.1,
};

const variants: [string, Partial<GPTConfigInput>][] = [
  [
    "pre-norm, learned, GELU, grouped-query, untied",
    { heads: 4, kvHeads: 2, tieEmbeddings: false },
  ],
  [
    "post-norm, rotary, ReLU, multi-query, tied",
    { heads: 2, kvHeads: 1, norm: "post", positions: "rotary", activation: "relu" },
  ],
  ["pre-norm, sinusoidal, multi-head", { positions: "sinusoidal" }],
  ["Llama: RMSNorm, rotary θ 500, SwiGLU, grouped-query, no biases, untied", llama],
];

describe("forward pass", () => {
  it.each(variants)("is causal: later tokens do not change earlier logits (%s)", (_, config) => {
    const model = build(config);
    const random = new Random(3);
    randomizeWeights(model, random, 0.5);
    const tokens = randomTokens(random, 5, 7);
    const changed = Int32Array.from(tokens);
    changed[3] = ((tokens[3] as number) + 1) % 7;
    const [before, after] = [tokens, changed].map((t) =>
      tf.tidy(() => languageModelLogits(model, t, 1).arraySync()),
    ) as [number[][], number[][]];
    for (let t = 0; t < 3; t++) expect(after[t]).toEqual(before[t]);
    expect(after[3]).not.toEqual(before[3]);
  });

  it("reads shorter sequences than seqLen and rejects longer ones", () => {
    const model = build({});
    const logits = languageModelLogits(model, new Int32Array(6), 2);
    expect(logits.shape).toEqual([6, 7]);
    logits.dispose();
    expect(() => languageModelLogits(model, new Int32Array(12), 2)).toThrow(
      "12 tokens do not make 2 rows of 1 to seqLen 5 tokens",
    );
  });

  it("starts near the uniform loss ln(vocab)", () => {
    const model = build({ vocabSize: 50 });
    const loss = tf.tidy(
      () => languageModelLoss(model, lmBatch(new Random(4), 4, 5, 50)).dataSync()[0],
    );
    expect(loss).toBeCloseTo(Math.log(50), 1);
  });
});

/**
 * Central differences (f(w + h) - f(w - h)) / 2h at a few random coordinates of every weight,
 * against the hand-written gradients. In float32 the loss (about 2) carries a few 1e-7 of
 * rounding, which h = 1e-3 turns into ~1e-4 of noise (measured: at most 2.4e-4), while the
 * truncation error, O(h²), is far below it and a step this small rarely straddles a ReLU kink.
 * The tolerance, 1e-3 + 1%, is well under the gradients' typical 1e-2 to 1e-1.
 */
function gradientCheck(model: GPT, loss: () => tf.Scalar, random: Random) {
  const h = 1e-3;
  const lossValue = () => tf.tidy(() => loss().dataSync()[0] as number);
  const variables = [...model.parameters.values()];
  const { grads } = tf.variableGrads(loss, variables);
  const failures: string[] = [];
  let checked = 0;
  for (const [name, variable] of model.parameters) {
    const analytic = (grads[variable.name] as tf.Tensor).dataSync();
    const values = variable.dataSync().slice();
    for (let k = 0; k < 3; k++) {
      const i = random.int(0, variable.size - 1);
      const original = values[i] as number;
      const at = (x: number) => {
        values[i] = x;
        variable.assign(tf.tensor(values, variable.shape));
        return lossValue();
      };
      const numeric = (at(original + h) - at(original - h)) / (2 * h);
      at(original);
      const expected = analytic[i] as number;
      checked++;
      if (Math.abs(numeric - expected) > 1e-3 + 0.01 * Math.abs(numeric)) {
        failures.push(`${name}[${i}]: analytic ${expected}, numeric ${numeric}`);
      }
    }
  }
  tf.dispose(grads);
  expect(failures).toEqual([]);
  return checked;
}

describe("gradients", () => {
  it.each(variants)("match finite differences (%s)", (_, config) => {
    const model = build(config);
    const random = new Random(5);
    randomizeWeights(model, random, 0.5);
    const batch = lmBatch(random, 3, 5, 7);
    const checked = gradientCheck(model, () => languageModelLoss(model, batch), random);
    expect(checked).toBe(3 * model.parameters.size);
  });

  it("match finite differences for a classifier with padded rows", () => {
    const model = build({ numClasses: 3 });
    const random = new Random(6);
    randomizeWeights(model, random, 0.5);
    const batch: ClassificationBatch = {
      inputs: randomTokens(random, 10, 7),
      mask: Float32Array.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]),
      lengths: Int32Array.from([3, 5]),
      labels: Int32Array.from([2, 0]),
      batchSize: 2,
    };
    gradientCheck(model, () => classificationLoss(model, batch).loss, random);
  });

  it("would catch a wrong gradient", () => {
    // The check itself must be able to fail: scale the loss only on the forward side.
    const model = build({});
    const random = new Random(7);
    randomizeWeights(model, random, 0.5);
    const batch = lmBatch(random, 2, 5, 7);
    const wrong = tf.customGrad((...args) => {
      const [x] = args as [tf.Tensor];
      return { value: tf.mul(x, 1), gradFunc: (dy) => [tf.mul(dy, 1.1)] };
    });
    expect(() =>
      gradientCheck(model, () => wrong(languageModelLoss(model, batch)) as tf.Scalar, random),
    ).toThrow();
  });
});

describe("the fast formulation", () => {
  it.each<[string, Partial<GPTConfigInput>]>([
    ["pre-norm, GELU, grouped-query, untied", { heads: 4, kvHeads: 2, tieEmbeddings: false }],
    ["post-norm, ReLU, multi-query, tied", { kvHeads: 1, norm: "post", activation: "relu" }],
    ["pre-norm, LayerNorm ε 0.5", { normEpsilon: 0.5 }],
    ["post-norm, LayerNorm ε 0.5", { norm: "post", normEpsilon: 0.5 }],
    ["Llama: RMSNorm, rotary θ 500, SwiGLU, grouped-query, no biases, untied", llama],
    [
      "post-RMSNorm, rotary, ReLU, multi-query, biases",
      {
        kvHeads: 1,
        norm: "post",
        normalization: "rmsnorm",
        positions: "rotary",
        activation: "relu",
      },
    ],
    ["GELU without biases (not fused), tied", { bias: false }],
  ])("agrees with the straightforward one in loss and gradients (%s)", (_, config) => {
    const model = build(config);
    const random = new Random(8);
    randomizeWeights(model, random, 0.5);
    const batch = lmBatch(random, 3, 5, 7);
    expectSameLossAndGradients(
      model,
      () => languageModelLoss(model, batch),
      () => referenceLanguageModelLoss(model, batch),
    );
  });
});

describe("a model of given values", () => {
  it("holds them after the caller disposes them, and frees them with the model", () => {
    const config = { vocabSize: 7, seqLen: 5, layers: 1, dModel: 8, heads: 2 };
    const drawn = createGPT(config, 3);
    const before = tf.memory().numTensors;
    const values = new Map([...drawn.parameters].map(([name, v]) => [name, v.clone()]));
    const model = gptWithValues(config, (name) => values.get(name) as tf.Tensor);
    tf.dispose([...values.values()]);
    for (const [name, parameter] of model.parameters) {
      expect(parameter.dataSync(), name).toEqual(drawn.parameters.get(name)?.dataSync());
    }
    disposeGPT(model);
    expect(tf.memory().numTensors).toBe(before);
    disposeGPT(drawn);
  });

  it("refuses a value of the wrong shape or a missing one, and leaks nothing", () => {
    const config = { vocabSize: 7, seqLen: 5, layers: 1, dModel: 8, heads: 2 };
    const before = tf.memory().numTensors;
    const wrong = tf.zeros([3, 3]);
    expect(() => gptWithValues(config, () => wrong)).toThrow(
      "tokenEmbedding has shape [3,3], the model expects [7,8]",
    );
    wrong.dispose();
    expect(() =>
      gptWithValues(config, (name, shape) => {
        if (name.startsWith("blocks.0.mlpIn")) throw new Error(`no ${name}`);
        return tf.zeros(shape);
      }),
    ).toThrow("no blocks.0.mlpIn.weight");
    expect(tf.memory().numTensors).toBe(before);
  });
});
