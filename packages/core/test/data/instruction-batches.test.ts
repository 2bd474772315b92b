import { describe, expect, it } from "vitest";
import {
  type InstructionRow,
  InstructionSampler,
  instructionEvaluationBatches,
  instructionRows,
  splitInstructionExamples,
} from "../../src/data/instruction-batches.ts";
import type { EncodedExample } from "../../src/data/instruction-encoding.ts";
import { copyTask, reversalTask } from "./synthetic-tasks.ts";

/** An example whose tokens are 10·line + 0, 1, 2...: `prompt` untrained tokens, then `completion`. */
function example(line: number, prompt: number, completion: number): EncodedExample {
  const length = prompt + completion;
  return {
    line,
    tokens: Array.from({ length }, (_, i) => 10 * line + i),
    mask: Array.from({ length }, (_, i) => (i < prompt ? 0 : 1)),
  };
}

const plain = (row: InstructionRow | undefined) => ({
  inputs: [...(row?.inputs ?? [])],
  targets: [...(row?.targets ?? [])],
  lossMask: [...(row?.lossMask ?? [])],
  segments: [...(row?.segments ?? [])],
});

describe("instructionRows", () => {
  it("puts one example per row, shifted for next-token targets, padded, the mask on completion targets", () => {
    const { rows, fit } = instructionRows([example(1, 2, 2), example(2, 1, 3)], {
      seqLen: 5,
      pack: false,
      padToken: 99,
    });
    expect(rows.map(plain)).toEqual([
      {
        inputs: [10, 11, 12, 99, 99],
        targets: [11, 12, 13, 99, 99],
        lossMask: [0, 1, 1, 0, 0],
        segments: [0, 0, 0, -1, -1],
      },
      {
        inputs: [20, 21, 22, 99, 99],
        targets: [21, 22, 23, 99, 99],
        lossMask: [1, 1, 1, 0, 0],
        segments: [0, 0, 0, -1, -1],
      },
    ]);
    expect(fit).toEqual({ examples: 2, rows: 2, truncated: 0, dropped: 0, cutLines: [] });
  });

  it("packs examples first come, first in, each its own segment", () => {
    const examples = [example(1, 2, 2), example(2, 1, 2), example(3, 3, 3)];
    const { rows, fit } = instructionRows(examples, { seqLen: 6, pack: true, padToken: 99 });
    expect(rows.map(plain)).toEqual([
      {
        inputs: [10, 11, 12, 20, 21, 99],
        targets: [11, 12, 13, 21, 22, 99],
        lossMask: [0, 1, 1, 1, 1, 0],
        segments: [0, 0, 0, 1, 1, -1],
      },
      {
        inputs: [30, 31, 32, 33, 34, 99],
        targets: [31, 32, 33, 34, 35, 99],
        lossMask: [0, 0, 1, 1, 1, 0],
        segments: [0, 0, 0, 0, 0, -1],
      },
    ]);
    expect(fit.rows).toBe(2);
  });

  it("counts and names examples longer than seqLen, never cutting one silently", () => {
    const examples = [
      example(1, 2, 2), // fits: 3 positions
      example(2, 2, 5), // 6 positions: cut to 4, keeping 3 of its 5 completion targets
      example(3, 5, 2), // the prompt fills the row: no completion target left
      example(4, 1, 4), // 4 positions: fits exactly
    ];
    const { rows, fit } = instructionRows(examples, { seqLen: 4, pack: false, padToken: 0 });
    expect(fit).toEqual({ examples: 4, rows: 3, truncated: 1, dropped: 1, cutLines: [2, 3] });
    expect(rows.map((row) => [...row.lossMask])).toEqual([
      [0, 1, 1, 0],
      [0, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
  });
});

describe("instruction batches", () => {
  const { rows } = instructionRows(
    Array.from({ length: 7 }, (_, i) => example(i + 1, 2, 2)),
    { seqLen: 4, pack: false, padToken: 0 },
  );

  it("sends segments only with packed rows, where attention needs them", () => {
    const [unpacked] = instructionEvaluationBatches(rows, { batchSize: 3, packed: false });
    expect(unpacked?.segments).toBeUndefined();
    const [packed] = instructionEvaluationBatches(rows, { batchSize: 3, packed: true });
    expect(packed?.segments).toHaveLength(12);
    expect(packed?.batchSize).toBe(3);
  });

  it("evaluates every row once, in order", () => {
    const batches = [...instructionEvaluationBatches(rows, { batchSize: 3, packed: false })];
    expect(batches.map((batch) => batch.batchSize)).toEqual([3, 3, 1]);
    expect(batches.flatMap((batch) => [...batch.inputs].filter((_, i) => i % 4 === 0))).toEqual([
      10, 20, 30, 40, 50, 60, 70,
    ]);
  });

  it("draws every row once an epoch, and resumes from a saved state exactly", () => {
    const options = { batchSize: 2, packed: false, seed: 5 };
    const sampler = new InstructionSampler(rows, options);
    const firstRows = (batch: { inputs: Int32Array }) => [batch.inputs[0], batch.inputs[4]];
    const epoch = [1, 2, 3]
      .flatMap(() => firstRows(sampler.next()))
      .concat(sampler.next().inputs[0]);
    expect(new Set(epoch).size).toBe(7);
    const saved = sampler.getState();
    const expected = [sampler.next(), sampler.next()].map((batch) => [...batch.inputs]);
    const resumed = new InstructionSampler(rows, options);
    resumed.setState(saved);
    expect([resumed.next(), resumed.next()].map((batch) => [...batch.inputs])).toEqual(expected);
  });
});

describe("splitInstructionExamples", () => {
  const examples = reversalTask({ count: 100, seed: 1 });

  it("holds out the same examples for every trial, whatever else changes", () => {
    const first = splitInstructionExamples(examples, {
      validationFraction: 0.1,
      testFraction: 0.2,
      seed: 3,
    });
    const again = splitInstructionExamples(examples, {
      validationFraction: 0.1,
      testFraction: 0.2,
      seed: 3,
    });
    expect(again).toEqual(first);
    expect([first.train.length, first.validation.length, first.test.length]).toEqual([70, 10, 20]);
    const lines = [...first.train, ...first.validation, ...first.test].map((e) => e.line);
    expect(new Set(lines).size).toBe(100);
    const other = splitInstructionExamples(examples, {
      validationFraction: 0.1,
      testFraction: 0.2,
      seed: 4,
    });
    expect(other.test).not.toEqual(first.test);
  });

  it("splits in two without a test fraction, and refuses fractions that leave no training data", () => {
    const split = splitInstructionExamples(copyTask({ count: 10, seed: 1 }), {
      validationFraction: 0.3,
      seed: 1,
    });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([7, 3, 0]);
    expect(() =>
      splitInstructionExamples(examples, { validationFraction: 0.5, testFraction: 0.5, seed: 1 }),
    ).toThrow("leave no training examples");
  });
});

describe("the synthetic tasks", () => {
  it("know their answers", () => {
    const [copy] = copyTask({ count: 1, seed: 2 });
    expect(copy?.completion).toBe(copy?.prompt);
    const [reversal] = reversalTask({ count: 1, seed: 2, length: { min: 5, max: 5 } });
    expect(reversal?.completion).toBe([...(reversal?.prompt ?? "")].reverse().join(""));
    expect(reversal?.prompt).toMatch(/^[a-f]{5}$/);
  });
});
