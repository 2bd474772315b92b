/**
 * The trainer's loss on instruction batches: prompt targets contribute nothing to the loss or the
 * gradients, completion targets do; packed rows score each example as it scores alone.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { PLAIN_CHAT_TEMPLATE, renderExamples } from "../../src/data/chat-template.ts";
import {
  type InstructionBatch,
  instructionEvaluationBatches,
  instructionRows,
} from "../../src/data/instruction-batches.ts";
import {
  encodeInstructionExamples,
  instructionTokenizer,
} from "../../src/data/instruction-encoding.ts";
import { languageModelLogits } from "../../src/model/gpt.ts";
import { Random } from "../../src/random.ts";
import { batchMetrics, validationMetrics } from "../../src/train/evaluate.ts";
import { reversalTask } from "../data/synthetic-tasks.ts";
import { randomizeWeights, smallModels } from "../model/small-models.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

const dataset = {
  format: "prompt-completion" as const,
  examples: reversalTask({ count: 6, seed: 2, length: { min: 2, max: 5 } }),
};
const template = PLAIN_CHAT_TEMPLATE;
const tokenizer = instructionTokenizer("char", dataset, template);
const encoded = encodeInstructionExamples(
  renderExamples(dataset.examples, template),
  tokenizer,
  template,
);
const seqLen = 96;
const padToken = tokenizer.endOfText as number;
const model = smallModels({
  vocabSize: tokenizer.vocabSize,
  seqLen,
  layers: 2,
  dModel: 16,
  heads: 2,
});

function build() {
  const gpt = model({});
  randomizeWeights(gpt, new Random(4), 0.3);
  return gpt;
}

/** The loss and every weight's gradient, as flat arrays. */
function lossAndGradients(gpt: ReturnType<typeof build>, batch: InstructionBatch) {
  const variables = [...gpt.parameters.values()];
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => batchMetrics(gpt, batch, {}).loss, variables);
    return {
      loss: value.dataSync()[0] as number,
      gradients: variables.flatMap((v) => Array.from((grads[v.name] as tf.Tensor).dataSync())),
    };
  });
}

describe("the loss on an instruction batch", () => {
  const [batch] = instructionEvaluationBatches(
    instructionRows(encoded, { seqLen, pack: false, padToken }).rows,
    { batchSize: 6, packed: false },
  );
  const withTarget = (position: number, token: number): InstructionBatch => {
    const targets = Int32Array.from((batch as InstructionBatch).targets);
    targets[position] = token;
    return { ...(batch as InstructionBatch), targets };
  };
  const { lossMask, targets } = batch as InstructionBatch;
  const promptPosition = lossMask.indexOf(0);
  const completionPosition = lossMask.indexOf(1);
  const otherToken = (position: number) =>
    ((targets[position] as number) + 1) % tokenizer.vocabSize;

  it("does not change, nor do its gradients, when a prompt target changes", () => {
    const gpt = build();
    const before = lossAndGradients(gpt, batch as InstructionBatch);
    const after = lossAndGradients(gpt, withTarget(promptPosition, otherToken(promptPosition)));
    expect(after.loss).toBe(before.loss);
    expect(after.gradients).toEqual(before.gradients);
  });

  it("changes, and so do its gradients, when a completion target changes", () => {
    const gpt = build();
    const before = lossAndGradients(gpt, batch as InstructionBatch);
    const after = lossAndGradients(
      gpt,
      withTarget(completionPosition, otherToken(completionPosition)),
    );
    expect(after.loss).not.toBeCloseTo(before.loss, 4);
    const changed = after.gradients.filter(
      (g, i) => Math.abs(g - (before.gradients[i] ?? 0)) > 1e-6,
    );
    expect(changed.length).toBeGreaterThan(0);
  });
});

describe("packed rows", () => {
  it("give each example the validation loss and logits it has alone", () => {
    const gpt = build();
    const rowsOf = (pack: boolean) => instructionRows(encoded, { seqLen, pack, padToken }).rows;
    const packedRows = rowsOf(true);
    expect(packedRows.length).toBeLessThan(encoded.length);
    const loss = (pack: boolean) =>
      validationMetrics(
        gpt,
        instructionEvaluationBatches(rowsOf(pack), { batchSize: 2, packed: pack }),
      ).loss;
    expect(loss(true)).toBeCloseTo(loss(false), 5);

    // The second example of the first packed row, against the same example alone.
    const row = packedRows[0] as (typeof packedRows)[number];
    const start = row.segments.indexOf(1);
    const length = row.segments.lastIndexOf(1) + 1 - start;
    const alone = encoded[1]?.tokens.slice(0, length) as number[];
    expect(Array.from(row.inputs.slice(start, start + length))).toEqual(alone);
    const [packedLogits, aloneLogits] = tf.tidy(() => [
      languageModelLogits(gpt, row.inputs, 1, { segments: row.segments }).arraySync(),
      languageModelLogits(gpt, Int32Array.from(alone), 1).arraySync(),
    ]);
    for (let t = 0; t < length; t++) {
      aloneLogits?.[t]?.forEach((x, c) => {
        expect(packedLogits?.[start + t]?.[c]).toBeCloseTo(x, 5);
      });
    }
  });
});
