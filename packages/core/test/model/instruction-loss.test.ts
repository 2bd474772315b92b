/**
 * The loss on completions only, and packed rows whose examples do not see each other: the masked
 * cross-entropy's gradient, segment-aware attention, and the model's masked loss against the
 * straightforward reference formulation.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { InstructionBatch } from "../../src/data/instruction-batches.ts";
import type { GPTConfigInput } from "../../src/model/config.ts";
import { type GPT, languageModelLogits, maskedLanguageModelLoss } from "../../src/model/gpt.ts";
import { maskedSoftmaxCrossEntropy, softmaxCrossEntropy } from "../../src/model/ops.ts";
import {
  referenceLanguageModelLoss,
  referenceMaskedCrossEntropy,
} from "../../src/model/reference.ts";
import { Random } from "../../src/random.ts";
import { useWasmBackend } from "../tf-backend.ts";
import {
  expectSameLossAndGradients,
  randomizeWeights,
  randomTokens,
  smallModels,
} from "./small-models.ts";

useWasmBackend();

const smallModel = smallModels({ vocabSize: 9, seqLen: 8, layers: 2, dModel: 8, heads: 2 });

/** A small GPT with N(0, 0.5) weights, so that no gradient is trivially small. */
function build(config: Partial<GPTConfigInput>, seed = 1): GPT {
  const model = smallModel(config, seed);
  randomizeWeights(model, new Random(seed + 100), 0.5);
  return model;
}

/** The gradient of f at logits, as a flat array. */
function gradientAt(f: (logits: tf.Tensor2D) => tf.Scalar, logits: tf.Tensor2D): Float32Array {
  return tf.tidy(
    () =>
      tf
        .grad((x) => f(x as tf.Tensor2D))(logits)
        .dataSync() as Float32Array,
  );
}

describe("maskedSoftmaxCrossEntropy", () => {
  const random = new Random(1);
  const [rows, vocab] = [6, 5];
  const logitValues = Float32Array.from({ length: rows * vocab }, () => random.normal(0, 2));
  const targets = randomTokens(random, rows, vocab);
  const mask = Float32Array.from([0, 0, 1, 0, 1, 1]);
  const trained = 3;
  const logits = () => tf.tensor2d(logitValues, [rows, vocab]);

  it("is the mean cross-entropy of the masked-in targets only", () => {
    const value = tf.tidy(() => maskedSoftmaxCrossEntropy(logits(), targets, mask).dataSync()[0]);
    let expected = 0;
    for (let r = 0; r < rows; r++) {
      if (mask[r] === 0) continue;
      const row = Array.from(logitValues.subarray(r * vocab, (r + 1) * vocab));
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((sum, x) => sum + Math.exp(x - max), 0));
      expected += (logSum - (row[targets[r] as number] as number)) / trained;
    }
    expect(value).toBeCloseTo(expected, 5);
  });

  it("gives prompt rows exactly zero gradient, and completion rows the unmasked gradient scaled by n / trained", () => {
    const masked = gradientAt((x) => maskedSoftmaxCrossEntropy(x, targets, mask), logits());
    const unmasked = gradientAt(
      (x) => softmaxCrossEntropy(x, tf.tensor1d(targets, "int32")),
      logits(),
    );
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < vocab; c++) {
        const i = r * vocab + c;
        if (mask[r] === 0) expect(masked[i], `row ${r}`).toBe(0);
        else expect(masked[i]).toBeCloseTo(((unmasked[i] as number) * rows) / trained, 6);
      }
    }
  });

  it("agrees with the plain formulation's autodiff, and with finite differences", () => {
    const fast = gradientAt((x) => maskedSoftmaxCrossEntropy(x, targets, mask), logits());
    const reference = gradientAt((x) => referenceMaskedCrossEntropy(x, targets, mask), logits());
    fast.forEach((g, i) => {
      expect(g).toBeCloseTo(reference[i] as number, 6);
    });
    // Central differences in float32: h = 1e-2 keeps rounding noise near 1e-5.
    const h = 1e-2;
    const lossAt = (values: Float32Array) =>
      tf.tidy(
        () =>
          maskedSoftmaxCrossEntropy(
            tf.tensor2d(values, [rows, vocab]),
            targets,
            mask,
          ).dataSync()[0] as number,
      );
    for (const i of [0, 7, 10, 14, 22, 29]) {
      const plus = Float32Array.from(logitValues);
      const minus = Float32Array.from(logitValues);
      plus[i] = (plus[i] as number) + h;
      minus[i] = (minus[i] as number) - h;
      expect((lossAt(plus) - lossAt(minus)) / (2 * h)).toBeCloseTo(fast[i] as number, 3);
    }
  });

  it("refuses a mask that selects nothing", () => {
    expect(() => maskedSoftmaxCrossEntropy(logits(), targets, new Float32Array(rows))).toThrow(
      "the loss mask selects no target",
    );
  });
});

const variants: [string, Partial<GPTConfigInput>][] = [
  ["learned positions, grouped-query", { heads: 4, kvHeads: 2 }],
  ["rotary, multi-query, post-norm", { kvHeads: 1, positions: "rotary", norm: "post" }],
  ["sinusoidal", { positions: "sinusoidal" }],
];

describe("packed rows", () => {
  // Example A takes positions 0-2, B positions 3-6, padding position 7.
  const segments = Int32Array.from([0, 0, 0, 1, 1, 1, 1, -1]);
  const exampleB = Int32Array.from([5, 1, 7, 2]);
  const row = (a: number[]) => Int32Array.from([...a, ...exampleB, 0]);
  const logitsOf = (model: GPT, tokens: Int32Array, options = {}) =>
    tf.tidy(() => languageModelLogits(model, tokens, 1, options).arraySync());

  it.each(variants)("keep example B's logits whatever example A holds (%s)", (_, config) => {
    const model = build(config);
    const [before, after] = [row([1, 2, 3]), row([8, 0, 4])].map((tokens) =>
      logitsOf(model, tokens, { segments }),
    ) as [number[][], number[][]];
    for (let t = 3; t < 7; t++) expect(after[t], `position ${t}`).toEqual(before[t]);
    expect(after[2]).not.toEqual(before[2]);
    // Without segments, B does see A: the check above can fail.
    const [plainBefore, plainAfter] = [row([1, 2, 3]), row([8, 0, 4])].map((tokens) =>
      logitsOf(model, tokens),
    ) as [number[][], number[][]];
    expect(plainAfter[3]).not.toEqual(plainBefore[3]);
  });

  it.each(variants)(
    "give example B the logits it has alone, positions restarting (%s)",
    (_, config) => {
      const model = build(config);
      const packed = logitsOf(model, row([1, 2, 3]), { segments });
      const alone = logitsOf(model, exampleB);
      for (let t = 0; t < 4; t++) {
        (alone[t] as number[]).forEach((x, c) => {
          expect(packed[t + 3]?.[c]).toBeCloseTo(x, 5);
        });
      }
    },
  );
});

describe("maskedLanguageModelLoss", () => {
  it("agrees with the straightforward formulation in loss and gradients, packed or not", () => {
    const model = build({ heads: 4, kvHeads: 2, tieEmbeddings: false });
    const random = new Random(9);
    const inputs = randomTokens(random, 16, 9);
    const targets = randomTokens(random, 16, 9);
    const lossMask = Float32Array.from([0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0]);
    const segments = Int32Array.from([0, 0, 0, 1, 1, 1, 1, -1, 0, 0, 0, 0, 0, 1, 1, 1]);
    for (const batch of [
      { inputs, targets, lossMask, batchSize: 2 },
      { inputs, targets, lossMask, segments, batchSize: 2 },
    ] satisfies InstructionBatch[]) {
      expectSameLossAndGradients(
        model,
        () => maskedLanguageModelLoss(model, batch),
        () => referenceLanguageModelLoss(model, batch),
      );
    }
  });

  it("is the plain language-model loss when every target is trained on", () => {
    const model = build({});
    const random = new Random(10);
    const batch = {
      inputs: randomTokens(random, 16, 9),
      targets: randomTokens(random, 16, 9),
      batchSize: 2,
    };
    const [masked, plain] = tf.tidy(() => [
      maskedLanguageModelLoss(model, {
        ...batch,
        lossMask: new Float32Array(16).fill(1),
      }).dataSync()[0],
      referenceLanguageModelLoss(model, batch).dataSync()[0],
    ]);
    expect(masked).toBeCloseTo(plain as number, 5);
  });
});
