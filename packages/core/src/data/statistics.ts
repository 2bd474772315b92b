/**
 * Dataset statistics, shown when a dataset is added and used to suggest a sequence length, and the
 * unigram entropy that a language model's loss has to beat.
 */
import { type ChatTemplate, renderExamples } from "./chat-template.ts";
import type { InstructionDataset } from "./instruction-dataset.ts";
import { type EncodingOptions, encodeInstructionExamples } from "./instruction-encoding.ts";
import type { TextDataset } from "./text-dataset.ts";
import type { Tokenizer } from "./tokenizers.ts";

/** Counts of lengths: a length counts in the first bucket whose upper bound it fits. */
export interface LengthHistogram {
  upperBounds: number[];
  counts: number[];
}

/** A superset of DatasetStatistics in packages/db/src/schema/projects.ts. */
export interface DatasetStatistics {
  /** Unicode code points. */
  characters: number;
  tokens: number;
  /** The tokenizer's vocabulary, which the model's embedding needs. */
  vocabularySize: number;
  /** How many of the vocabulary's tokens the dataset uses. */
  distinctTokens: number;
  samples: number;
  /** Sample lengths in tokens (for instruction data, the whole rendered example). */
  sampleTokenLengths: LengthHistogram;
  /** Nearest-rank percentiles of sample lengths in tokens. */
  sampleTokenLengthPercentiles: { p50: number; p90: number; p95: number; p99: number; max: number };
  /** Samples per label, for classification datasets. */
  labelCounts?: Record<string, number>;
  /** Instruction data: the tokens of each example not trained on (prompt, template, user turns). */
  promptTokenLengths?: LengthHistogram;
  /** Instruction data: the tokens of each example trained on (completion, assistant turns). */
  completionTokenLengths?: LengthHistogram;
}

export function datasetStatistics(dataset: TextDataset, tokenizer: Tokenizer): DatasetStatistics {
  const encoded = dataset.samples.map((sample) => tokenizer.encode(sample.text));
  const statistics = tokenStatistics(
    dataset.samples.map((sample) => sample.text),
    encoded,
    tokenizer,
  );
  if (dataset.labels !== undefined) {
    const labelCounts = Object.fromEntries(dataset.labels.map((label) => [label, 0]));
    for (const { label } of dataset.samples) {
      if (label !== undefined) labelCounts[label] = (labelCounts[label] ?? 0) + 1;
    }
    statistics.labelCounts = labelCounts;
  }
  return statistics;
}

/** The examples as the template renders them, and their prompt and completion lengths. */
export function instructionStatistics(
  dataset: InstructionDataset,
  tokenizer: Tokenizer,
  template: ChatTemplate,
  options: EncodingOptions = {},
): DatasetStatistics {
  const rendered = renderExamples(dataset.examples, template);
  const encoded = encodeInstructionExamples(rendered, tokenizer, template, options);
  const completionLengths = encoded.map(({ mask }) => mask.reduce((sum, m) => sum + m, 0));
  const promptLengths = encoded.map(({ tokens }, i) => tokens.length - (completionLengths[i] ?? 0));
  return {
    ...tokenStatistics(
      rendered.map((example) => example.text),
      encoded.map((example) => example.tokens),
      tokenizer,
    ),
    promptTokenLengths: lengthHistogram(sorted(promptLengths)),
    completionTokenLengths: lengthHistogram(sorted(completionLengths)),
  };
}

function tokenStatistics(
  texts: readonly string[],
  encoded: readonly (readonly number[])[],
  tokenizer: Tokenizer,
): DatasetStatistics {
  let characters = 0;
  for (const text of texts) for (const _ of text) characters++;
  const usedTokens = new Set<number>();
  for (const tokens of encoded) for (const token of tokens) usedTokens.add(token);
  const sortedLengths = sorted(encoded.map((tokens) => tokens.length));
  return {
    characters,
    tokens: sortedLengths.reduce((sum, length) => sum + length, 0),
    vocabularySize: tokenizer.vocabSize,
    distinctTokens: usedTokens.size,
    samples: sortedLengths.length,
    sampleTokenLengths: lengthHistogram(sortedLengths),
    sampleTokenLengthPercentiles: {
      p50: percentile(sortedLengths, 50),
      p90: percentile(sortedLengths, 90),
      p95: percentile(sortedLengths, 95),
      p99: percentile(sortedLengths, 99),
      max: sortedLengths.at(-1) ?? 0,
    },
  };
}

const sorted = (values: number[]) => values.sort((a, b) => a - b);

/** Buckets with power-of-two upper bounds (8, 16, 32, ...), the usual sequence-length choices. */
function lengthHistogram(sortedLengths: readonly number[]): LengthHistogram {
  const longest = sortedLengths.at(-1) ?? 0;
  const upperBounds = [8];
  while ((upperBounds.at(-1) ?? 0) < longest) upperBounds.push((upperBounds.at(-1) ?? 0) * 2);
  const counts = upperBounds.map(() => 0);
  for (const length of sortedLengths) {
    const bucket = upperBounds.findIndex((upperBound) => length <= upperBound);
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  return { upperBounds, counts };
}

/** The smallest value with at least p% of the values at or below it (the nearest-rank method). */
export function percentile(sortedValues: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sortedValues.length));
  return sortedValues[rank - 1] ?? 0;
}

/** -sum p log p over the token frequencies, in nats per token: the loss of the best unigram model. */
export function unigramEntropy(tokens: ArrayLike<number>): number {
  let entropy = 0;
  for (const count of frequencies(tokens, "unigram entropy").values()) {
    const probability = count / tokens.length;
    entropy -= probability * Math.log(probability);
  }
  return entropy;
}

/** The share of the commonest value: the accuracy of always guessing it. */
export function majorityShare(values: ArrayLike<number>): number {
  return Math.max(...frequencies(values, "majority share").values()) / values.length;
}

function frequencies(values: ArrayLike<number>, what: string): Map<number, number> {
  if (values.length === 0) throw new Error(`the ${what} of no tokens is undefined`);
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}
