/**
 * variableGradients (backprop.ts) against tf.variableGrads: the same loss and the same gradients,
 * bit for bit (it walks the same tape with the same gradient functions), for a model trained whole,
 * one with LoRA adapters on a frozen base, and one whose front is frozen; and every tensor it made
 * on the way, but the loss and the gradients, disposed.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { languageModelLoss } from "../../src/model/gpt.ts";
import { Random } from "../../src/random.ts";
import { variableGradients } from "../../src/train/backprop.ts";
import { type Finetune, finetuneModel } from "../../src/train/finetune.ts";
import { randomizeWeights, randomTokens, smallModels } from "../model/small-models.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const smallModel = smallModels({ vocabSize: 11, seqLen: 8, layers: 2, dModel: 16, heads: 2 });

const finetunes: [string, Finetune][] = [
  ["full", { mode: "full" }],
  [
    "lora",
    {
      mode: "lora",
      lora: {
        rank: 2,
        alpha: 4,
        dropout: 0.1,
        targets: ["query", "value", "mlpIn"],
        rslora: false,
      },
    },
  ],
  ["freeze", { mode: "freeze", trainableBlocks: 1 }],
];

describe("variableGradients", () => {
  it.each(finetunes)("gives tf.variableGrads's loss and gradients: %s", (_, finetune) => {
    const base = smallModel({ dropout: 0.1 });
    randomizeWeights(base, new Random(5), 0.3);
    const model = finetuneModel(base, finetune, 2);
    const random = new Random(6);
    const batch = {
      inputs: randomTokens(random, 24, 11),
      targets: randomTokens(random, 24, 11),
      batchSize: 3,
    };
    const variables = [...model.parameters.values()];
    const loss = () => languageModelLoss(model, batch, { training: true, dropoutSeed: 9 });
    const expected = tf.variableGrads(loss, variables);
    const tensorsBefore = tf.memory().numTensors;
    const actual = variableGradients(loss, variables);
    // The loss and one gradient per variable are all that is left.
    expect(tf.memory().numTensors).toBe(tensorsBefore + 1 + variables.length);
    expect(actual.value.dataSync()).toEqual(expected.value.dataSync());
    for (const variable of variables) {
      const gradient = actual.grads[variable.name] as tf.Tensor;
      expect(gradient.dataSync(), variable.name).toEqual(
        (expected.grads[variable.name] as tf.Tensor).dataSync(),
      );
    }
    tf.dispose([actual.value, expected.value, actual.grads, expected.grads]);
  });
});
