/**
 * From a dataset to training batches: a deterministic train/validation split, seeded training
 * windows that a checkpoint can resume exactly, fixed evaluation windows, and padded batches for
 * classification.
 */
import { Random, type RandomState } from "../random.ts";
import type { TextDataset } from "./text-dataset.ts";
import type { Tokenizer } from "./tokenizers.ts";

export interface DataSplit<T> {
  train: T;
  validation: T;
}

/** Language-modelling batch: row r is inputs[r*seqLen, (r+1)*seqLen), its targets one token later. */
export interface TokenBatch {
  inputs: Int32Array;
  targets: Int32Array;
  batchSize: number;
}

/** The last `validationFraction` of the stream, so validation text never overlaps training text. */
export function splitTokenStream(
  tokens: Int32Array,
  validationFraction: number,
): DataSplit<Int32Array> {
  const validationLength = Math.round(tokens.length * checkFraction(validationFraction));
  if (validationLength === 0 || validationLength === tokens.length) {
    throw new Error(
      `a validation fraction of ${validationFraction} of ${tokens.length} tokens leaves one side empty`,
    );
  }
  const boundary = tokens.length - validationLength;
  return { train: tokens.subarray(0, boundary), validation: tokens.subarray(boundary) };
}

/** A seeded choice of whole samples for validation; both sides keep the original order. */
export function splitSamples<T>(
  samples: readonly T[],
  validationFraction: number,
  seed: number,
): DataSplit<T[]> {
  const validationCount = Math.round(samples.length * checkFraction(validationFraction));
  if (validationCount === 0 || validationCount === samples.length) {
    throw new Error(
      `a validation fraction of ${validationFraction} of ${samples.length} samples leaves one side empty`,
    );
  }
  return splitShuffledSamples(samples, seed, 0, validationCount);
}

/** Which of `count` equal parts of the data is held out for validation (k-fold cross-validation). */
export interface Fold {
  index: number;
  count: number;
}

/** Part `fold.index` of the stream for validation; the parts around it, joined, for training. */
export function splitTokenStreamFold(tokens: Int32Array, fold: Fold): DataSplit<Int32Array> {
  const { start, end } = foldBounds(tokens.length, fold, "tokens");
  const train = new Int32Array(tokens.length - (end - start));
  train.set(tokens.subarray(0, start));
  train.set(tokens.subarray(end), start);
  return { train, validation: tokens.subarray(start, end) };
}

/** A seeded shuffle of whole samples cut into `fold.count` parts, part `fold.index` for validation. */
export function splitSamplesFold<T>(
  samples: readonly T[],
  fold: Fold,
  seed: number,
): DataSplit<T[]> {
  const { start, end } = foldBounds(samples.length, fold, "samples");
  return splitShuffledSamples(samples, seed, start, end);
}

/** Validation is positions [start, end) of a seeded shuffle; both sides keep the original order. */
function splitShuffledSamples<T>(
  samples: readonly T[],
  seed: number,
  start: number,
  end: number,
): DataSplit<T[]> {
  const order = new Random(seed).shuffle(samples.map((_, index) => index));
  const isValidation = new Set(order.slice(start, end));
  return {
    train: samples.filter((_, index) => !isValidation.has(index)),
    validation: samples.filter((_, index) => isValidation.has(index)),
  };
}

function foldBounds(length: number, fold: Fold, unit: string): { start: number; end: number } {
  const { index, count } = fold;
  if (!(Number.isInteger(count) && count >= 2 && Number.isInteger(index))) {
    throw new Error(`a fold needs a whole index and at least 2 folds, got ${index} of ${count}`);
  }
  if (index < 0 || index >= count) throw new Error(`fold ${index} is not one of ${count} folds`);
  const start = Math.round((length * index) / count);
  const end = Math.round((length * (index + 1)) / count);
  if (start === end) {
    throw new Error(`${count} folds of ${length} ${unit} leave fold ${index} empty`);
  }
  return { start, end };
}

/** Samples' tokens one after another, with end-of-text between samples when the tokenizer has one. */
export function encodeSamples(
  samples: readonly { text: string }[],
  tokenizer: Tokenizer,
): Int32Array {
  const tokens: number[] = [];
  samples.forEach((sample, index) => {
    if (index > 0 && tokenizer.endOfText !== undefined) tokens.push(tokenizer.endOfText);
    for (const token of tokenizer.encode(sample.text)) tokens.push(token);
  });
  return Int32Array.from(tokens);
}

/** One text is split at its tail; a dataset of several samples is split by sample. */
export function splitForLanguageModelling(
  dataset: TextDataset,
  tokenizer: Tokenizer,
  options: { validationFraction: number; seed: number },
): DataSplit<Int32Array> {
  if (dataset.samples.length === 1) {
    return splitTokenStream(encodeSamples(dataset.samples, tokenizer), options.validationFraction);
  }
  const { train, validation } = splitSamples(
    dataset.samples,
    options.validationFraction,
    options.seed,
  );
  return {
    train: encodeSamples(train, tokenizer),
    validation: encodeSamples(validation, tokenizer),
  };
}

export interface WindowSamplerState {
  random: RandomState;
}

/** Training windows of seqLen + 1 tokens at uniformly random offsets, drawn with replacement. */
export class WindowSampler {
  private readonly random: Random;

  constructor(
    private readonly tokens: Int32Array,
    private readonly options: { seqLen: number; batchSize: number; seed: number },
  ) {
    checkPositiveInteger("seqLen", options.seqLen);
    checkPositiveInteger("batchSize", options.batchSize);
    checkLongEnough(tokens, options.seqLen, "training");
    this.random = new Random(options.seed);
  }

  next(): TokenBatch {
    const { seqLen, batchSize } = this.options;
    const lastOffset = this.tokens.length - seqLen - 1;
    const offsets = Array.from({ length: batchSize }, () => this.random.int(0, lastOffset));
    return windowsBatch(this.tokens, offsets, seqLen);
  }

  getState(): WindowSamplerState {
    return { random: this.random.getState() };
  }

  setState(state: WindowSamplerState) {
    this.random.setState(state.random);
  }
}

/**
 * The validation stream cut into non-overlapping windows, in order. With maxWindows, that many
 * evenly spaced windows are kept, so a cheap evaluation still covers the whole validation text.
 */
export function* evaluationBatches(
  tokens: Int32Array,
  options: { seqLen: number; batchSize: number; maxWindows?: number },
): Generator<TokenBatch> {
  const { seqLen, batchSize } = options;
  checkPositiveInteger("seqLen", seqLen);
  checkPositiveInteger("batchSize", batchSize);
  checkLongEnough(tokens, seqLen, "validation");
  if (options.maxWindows !== undefined) checkPositiveInteger("maxWindows", options.maxWindows);
  const windowCount = Math.floor((tokens.length - 1) / seqLen);
  const keptCount = Math.min(windowCount, options.maxWindows ?? windowCount);
  const offsets = Array.from(
    { length: keptCount },
    (_, i) => Math.floor((i * windowCount) / keptCount) * seqLen,
  );
  for (let start = 0; start < offsets.length; start += batchSize) {
    yield windowsBatch(tokens, offsets.slice(start, start + batchSize), seqLen);
  }
}

function windowsBatch(tokens: Int32Array, offsets: readonly number[], seqLen: number): TokenBatch {
  const inputs = new Int32Array(offsets.length * seqLen);
  const targets = new Int32Array(offsets.length * seqLen);
  offsets.forEach((offset, row) => {
    inputs.set(tokens.subarray(offset, offset + seqLen), row * seqLen);
    targets.set(tokens.subarray(offset + 1, offset + seqLen + 1), row * seqLen);
  });
  return { inputs, targets, batchSize: offsets.length };
}

export interface ClassificationExample {
  tokens: readonly number[];
  /** Index into the dataset's labels. */
  label: number;
}

/**
 * Classification batch: row r holds the first seqLen tokens of an example, then padding. `lengths`
 * says how many are real (for pooling at the last real token); `mask` is 1 on them and 0 on padding.
 */
export interface ClassificationBatch {
  inputs: Int32Array;
  mask: Float32Array;
  lengths: Int32Array;
  labels: Int32Array;
  batchSize: number;
}

export function encodeClassificationExamples(
  dataset: TextDataset,
  tokenizer: Tokenizer,
): ClassificationExample[] {
  const { labels } = dataset;
  if (labels === undefined) throw new Error("a classification dataset needs labelled samples");
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  return dataset.samples.map((sample, index) => {
    const label = sample.label === undefined ? undefined : labelIndex.get(sample.label);
    if (label === undefined) {
      const found = sample.label === undefined ? "no label" : `label "${sample.label}"`;
      throw new Error(`sample ${index} has ${found}, not one of ${labels.join(", ")}`);
    }
    return { tokens: tokenizer.encode(sample.text), label };
  });
}

export interface EpochSamplerState {
  /** The generator's state before it shuffled the current epoch, so the shuffle can be redone. */
  epochRandom: RandomState;
  /** How many items of the current epoch have been drawn. */
  position: number;
}

export type ClassificationSamplerState = EpochSamplerState;

/** Batches of items in a fresh seeded shuffle every epoch, so each epoch sees every item once. */
export class EpochSampler<Item, Batch> {
  private readonly random: Random;
  private epochRandom: RandomState;
  private order: number[];
  private position = 0;

  constructor(
    private readonly items: readonly Item[],
    private readonly options: { batchSize: number; seed: number },
    private readonly makeBatch: (chosen: Item[]) => Batch,
  ) {
    checkPositiveInteger("batchSize", options.batchSize);
    if (items.length === 0) throw new Error("a sampler needs examples");
    this.random = new Random(options.seed);
    this.epochRandom = this.random.getState();
    this.order = this.shuffledIndices();
  }

  next(): Batch {
    const chosen: Item[] = [];
    while (chosen.length < this.options.batchSize) {
      if (this.position === this.order.length) {
        this.epochRandom = this.random.getState();
        this.order = this.shuffledIndices();
        this.position = 0;
      }
      chosen.push(this.items[this.order[this.position++] as number] as Item);
    }
    return this.makeBatch(chosen);
  }

  getState(): EpochSamplerState {
    return { epochRandom: this.epochRandom, position: this.position };
  }

  setState(state: EpochSamplerState) {
    const { position } = state;
    if (!Number.isInteger(position) || position < 0 || position > this.items.length) {
      throw new Error(
        `sampler state position ${position} does not fit a dataset of ${this.items.length} examples`,
      );
    }
    this.random.setState(state.epochRandom);
    this.epochRandom = state.epochRandom;
    this.order = this.shuffledIndices();
    this.position = state.position;
  }

  private shuffledIndices(): number[] {
    return this.random.shuffle(this.items.map((_, index) => index));
  }
}

export class ClassificationSampler extends EpochSampler<
  ClassificationExample,
  ClassificationBatch
> {
  constructor(
    examples: readonly ClassificationExample[],
    options: { seqLen: number; batchSize: number; padToken: number; seed: number },
  ) {
    checkPositiveInteger("seqLen", options.seqLen);
    super(examples, options, (chosen) =>
      classificationBatch(chosen, options.seqLen, options.padToken),
    );
  }
}

/** Every example once, in order, for evaluation. */
export function* classificationEvaluationBatches(
  examples: readonly ClassificationExample[],
  options: { seqLen: number; batchSize: number; padToken: number },
): Generator<ClassificationBatch> {
  checkPositiveInteger("seqLen", options.seqLen);
  checkPositiveInteger("batchSize", options.batchSize);
  for (let start = 0; start < examples.length; start += options.batchSize) {
    const chosen = examples.slice(start, start + options.batchSize);
    yield classificationBatch(chosen, options.seqLen, options.padToken);
  }
}

function classificationBatch(
  examples: readonly ClassificationExample[],
  seqLen: number,
  padToken: number,
): ClassificationBatch {
  const inputs = new Int32Array(examples.length * seqLen).fill(padToken);
  const mask = new Float32Array(examples.length * seqLen);
  const lengths = new Int32Array(examples.length);
  const labels = new Int32Array(examples.length);
  examples.forEach((example, row) => {
    const length = Math.min(example.tokens.length, seqLen);
    if (length === 0) throw new Error("a classification example has no tokens");
    inputs.set(example.tokens.slice(0, length), row * seqLen);
    mask.fill(1, row * seqLen, row * seqLen + length);
    lengths[row] = length;
    labels[row] = example.label;
  });
  return { inputs, mask, lengths, labels, batchSize: examples.length };
}

function checkFraction(fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) {
    throw new Error(`validationFraction must be between 0 and 1 (exclusive), got ${fraction}`);
  }
  return fraction;
}

export function checkPositiveInteger(name: string, value: number) {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
}

function checkLongEnough(tokens: Int32Array, seqLen: number, part: "training" | "validation") {
  if (tokens.length < seqLen + 1) {
    throw new Error(
      `the ${part} text has ${tokens.length} tokens, fewer than the ${seqLen + 1} (seqLen + 1) one window needs: use a shorter seqLen or more data`,
    );
  }
}
