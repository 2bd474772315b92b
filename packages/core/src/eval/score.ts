/**
 * Scores a set of generations by a metric's key: the one place that ties each key of the
 * registry to its computation. Per-example metrics are averaged over the examples; BLEU and chrF
 * are corpus metrics, computed from the statistics of all examples at once, as sacreBLEU does.
 */
import { corpusBleu } from "./bleu.ts";
import { corpusChrf } from "./chrf.ts";
import { classificationScores } from "./classification.ts";
import type { GenerationMetricKey } from "./metric-definitions.ts";
import { rougeL, rougeN } from "./rouge.ts";
import { exactMatch, tokenF1 } from "./squad.ts";

export interface ScoredGeneration {
  prediction: string;
  /** What a right answer may be; for classification, the one gold label. */
  references: readonly string[];
}

/** The label set a classification's answers are read against; defaults to the gold labels seen. */
export interface ScoreOptions {
  labels?: readonly string[];
}

type Scorer = (examples: readonly ScoredGeneration[], options: ScoreOptions) => number;

const meanOf =
  (scoreOne: (prediction: string, references: readonly string[]) => number): Scorer =>
  (examples) =>
    examples.reduce(
      (sum, { prediction, references }) => sum + scoreOne(prediction, references),
      0,
    ) / examples.length;

const predictions = (examples: readonly ScoredGeneration[]) => examples.map((e) => e.prediction);
const references = (examples: readonly ScoredGeneration[]) => examples.map((e) => e.references);

function classification(examples: readonly ScoredGeneration[], options: ScoreOptions) {
  const gold = examples.map(({ references }, i) => {
    if (references.length !== 1) {
      throw new Error(
        `Example ${i} has ${references.length} references; classification needs its one gold label`,
      );
    }
    return references[0] as string;
  });
  return classificationScores(predictions(examples), gold, options.labels);
}

const scorers: Record<GenerationMetricKey, Scorer> = {
  exact_match: meanOf(exactMatch),
  token_f1: meanOf(tokenF1),
  rouge1: meanOf((prediction, refs) => rougeN(prediction, refs, 1).fmeasure),
  rouge2: meanOf((prediction, refs) => rougeN(prediction, refs, 2).fmeasure),
  rougeL: meanOf((prediction, refs) => rougeL(prediction, refs).fmeasure),
  bleu: (examples) => corpusBleu(predictions(examples), references(examples)).score,
  chrf: (examples) => corpusChrf(predictions(examples), references(examples)),
  chrf_pp: (examples) => corpusChrf(predictions(examples), references(examples), { wordOrder: 2 }),
  accuracy: (examples, options) => classification(examples, options).accuracy,
  macro_f1: (examples, options) => classification(examples, options).macroF1,
};

/** The metric's score of the generations; see generationMetrics for each key's range. */
export function scoreGenerations(
  key: GenerationMetricKey,
  examples: readonly ScoredGeneration[],
  options: ScoreOptions = {},
): number {
  if (examples.length === 0) throw new Error(`${key}: no generations to score`);
  return scorers[key](examples, options);
}
