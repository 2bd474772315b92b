/**
 * Encoded instruction examples as training rows of seqLen positions: one example per row, padded,
 * or several packed into a row with a segment id per position, so that attention stays within each
 * example and positions restart at each (see the model's hiddenStates). Position t of a row
 * predicts the token after it; the loss mask says which of those targets are trained on.
 */
import {
  checkPositiveInteger,
  type DataSplit,
  EpochSampler,
  type EpochSamplerState,
  splitSamples,
  type TokenBatch,
} from "./batches.ts";
import type { EncodedExample } from "./instruction-encoding.ts";

export interface InstructionBatch extends TokenBatch {
  /** 1 where the target is trained on (a completion or assistant token), 0 on prompt and padding. */
  lossMask: Float32Array;
  /** Only for packed rows: the example each position belongs to (-1 for padding). */
  segments?: Int32Array;
}

/** One row of seqLen positions. */
export interface InstructionRow {
  inputs: Int32Array;
  targets: Int32Array;
  lossMask: Float32Array;
  segments: Int32Array;
}

/**
 * What fitting the examples into rows did, for the caller to show. An example of n tokens takes
 * n - 1 positions; one longer than seqLen is cut at its end. `truncated` counts the examples cut
 * that kept some trained-on tokens; `dropped`, those left with none (the prompt filled the row),
 * which are not used.
 */
export interface RowFit {
  examples: number;
  rows: number;
  truncated: number;
  dropped: number;
  /** The lines of the first few truncated or dropped examples. */
  cutLines: number[];
}

export interface RowOptions {
  seqLen: number;
  /** Pack several examples into a row (first come, first in) instead of one per row. */
  pack: boolean;
  padToken: number;
}

const REPORTED_CUT_LINES = 5;

export function instructionRows(
  examples: readonly EncodedExample[],
  options: RowOptions,
): { rows: InstructionRow[]; fit: RowFit } {
  const { seqLen, pack, padToken } = options;
  checkPositiveInteger("seqLen", seqLen);
  const fit: RowFit = {
    examples: examples.length,
    rows: 0,
    truncated: 0,
    dropped: 0,
    cutLines: [],
  };
  const rows: InstructionRow[] = [];
  let row: InstructionRow | undefined;
  let used = 0;
  let segment = 0;
  const finishRow = () => {
    if (row === undefined) return;
    row.inputs.fill(padToken, used);
    row.targets.fill(padToken, used);
    row.segments.fill(-1, used);
    rows.push(row);
    row = undefined;
  };
  for (const example of examples) {
    const length = Math.min(example.tokens.length - 1, seqLen);
    const trainedTargets = countOnes(example.mask, 1, length + 1);
    const cut = length < example.tokens.length - 1;
    if (cut || trainedTargets === 0) {
      if (fit.cutLines.length < REPORTED_CUT_LINES) fit.cutLines.push(example.line);
      if (trainedTargets === 0) {
        fit.dropped++;
        continue;
      }
      fit.truncated++;
    }
    if (row === undefined || !pack || used + length > seqLen) {
      finishRow();
      row = emptyRow(seqLen);
      used = 0;
      segment = 0;
    }
    row.inputs.set(example.tokens.slice(0, length), used);
    row.targets.set(example.tokens.slice(1, length + 1), used);
    row.lossMask.set(example.mask.slice(1, length + 1), used);
    row.segments.fill(segment++, used, used + length);
    used += length;
  }
  finishRow();
  fit.rows = rows.length;
  return { rows, fit };
}

function emptyRow(seqLen: number): InstructionRow {
  return {
    inputs: new Int32Array(seqLen),
    targets: new Int32Array(seqLen),
    lossMask: new Float32Array(seqLen),
    segments: new Int32Array(seqLen),
  };
}

function countOnes(values: readonly number[], start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end && i < values.length; i++) count += values[i] as number;
  return count;
}

/** Rows side by side; segments only for packed rows, where attention needs them. */
function instructionBatch(rows: readonly InstructionRow[], packed: boolean): InstructionBatch {
  const join = <T extends Int32Array | Float32Array>(
    make: new (length: number) => T,
    part: (row: InstructionRow) => T,
  ) => {
    const seqLen = rows[0]?.inputs.length ?? 0;
    const joined = new make(rows.length * seqLen);
    rows.forEach((row, index) => {
      joined.set(part(row), index * seqLen);
    });
    return joined;
  };
  return {
    inputs: join(Int32Array, (row) => row.inputs),
    targets: join(Int32Array, (row) => row.targets),
    lossMask: join(Float32Array, (row) => row.lossMask),
    ...(packed ? { segments: join(Int32Array, (row) => row.segments) } : {}),
    batchSize: rows.length,
  };
}

/**
 * Validation and test examples chosen by a seeded shuffle (fractions of all the examples), so that
 * every trial of a study, whatever its tokenizer or sequence length, sees the same ones.
 */
export function splitInstructionExamples<T>(
  examples: readonly T[],
  options: { validationFraction: number; testFraction?: number; seed: number },
): DataSplit<T[]> & { test: T[] } {
  const { validationFraction, testFraction, seed } = options;
  if (testFraction === undefined) {
    return { ...splitSamples(examples, validationFraction, seed), test: [] };
  }
  if (!(validationFraction + testFraction < 1)) {
    throw new Error(
      `validationFraction ${validationFraction} and testFraction ${testFraction} leave no training examples`,
    );
  }
  const { train: rest, validation: test } = splitSamples(examples, testFraction, seed);
  const { train, validation } = splitSamples(rest, validationFraction / (1 - testFraction), seed);
  return { train, validation, test };
}

export type InstructionSamplerState = EpochSamplerState;

/** Training batches of rows, in a fresh seeded shuffle every epoch. */
export class InstructionSampler extends EpochSampler<InstructionRow, InstructionBatch> {
  constructor(
    rows: readonly InstructionRow[],
    options: { batchSize: number; packed: boolean; seed: number },
  ) {
    super(rows, options, (chosen) => instructionBatch(chosen, options.packed));
  }
}

/** Every row once, in order, for evaluation. */
export function* instructionEvaluationBatches(
  rows: readonly InstructionRow[],
  options: { batchSize: number; packed: boolean },
): Generator<InstructionBatch> {
  checkPositiveInteger("batchSize", options.batchSize);
  for (let start = 0; start < rows.length; start += options.batchSize) {
    yield instructionBatch(rows.slice(start, start + options.batchSize), options.packed);
  }
}
