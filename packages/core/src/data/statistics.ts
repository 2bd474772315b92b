/**
 * Dataset statistics, shown when a dataset is added and used to suggest a sequence length, and the
 * unigram entropy that a language model's loss has to beat.
 */
import type { TextDataset } from "./text-dataset.ts";
import type { Tokenizer } from "./tokenizers.ts";

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
  /** Sample lengths in tokens: a sample counts in the first bucket whose upper bound it fits. */
  sampleTokenLengths: { upperBounds: number[]; counts: number[] };
  /** Nearest-rank percentiles of sample lengths in tokens. */
  sampleTokenLengthPercentiles: { p50: number; p90: number; p95: number; p99: number; max: number };
  /** Samples per label, for classification datasets. */
  labelCounts?: Record<string, number>;
}

export function datasetStatistics(dataset: TextDataset, tokenizer: Tokenizer): DatasetStatistics {
  let characters = 0;
  const usedTokens = new Set<number>();
  const lengths = dataset.samples.map((sample) => {
    for (const _ of sample.text) characters++;
    const tokens = tokenizer.encode(sample.text);
    for (const token of tokens) usedTokens.add(token);
    return tokens.length;
  });
  const sortedLengths = [...lengths].sort((a, b) => a - b);
  const statistics: DatasetStatistics = {
    characters,
    tokens: lengths.reduce((sum, length) => sum + length, 0),
    vocabularySize: tokenizer.vocabSize,
    distinctTokens: usedTokens.size,
    samples: lengths.length,
    sampleTokenLengths: lengthHistogram(sortedLengths),
    sampleTokenLengthPercentiles: {
      p50: percentile(sortedLengths, 50),
      p90: percentile(sortedLengths, 90),
      p95: percentile(sortedLengths, 95),
      p99: percentile(sortedLengths, 99),
      max: sortedLengths.at(-1) ?? 0,
    },
  };
  if (dataset.labels !== undefined) {
    const labelCounts = Object.fromEntries(dataset.labels.map((label) => [label, 0]));
    for (const { label } of dataset.samples) {
      if (label !== undefined) labelCounts[label] = (labelCounts[label] ?? 0) + 1;
    }
    statistics.labelCounts = labelCounts;
  }
  return statistics;
}

/** Buckets with power-of-two upper bounds (8, 16, 32, ...), the usual sequence-length choices. */
function lengthHistogram(sortedLengths: readonly number[]): {
  upperBounds: number[];
  counts: number[];
} {
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
