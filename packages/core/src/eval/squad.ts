/**
 * Exact match and token F1 as SQuAD's official evaluation script (v2.0, which adds to v1.1 only
 * the case of an empty answer) defines them: both compare normalised answers, and a prediction
 * scores its best over the references.
 */
import {
  asciiPunctuation,
  checkReferences,
  countNgrams,
  f1,
  sharedCount,
  splitWhitespace,
} from "./text.ts";

// The script's \b(a|an|the)\b: Python's \b is Unicode-aware, a word character being a letter,
// digit or underscore of any script, so "é" next to "the" keeps it.
const articles = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** The answer's words after SQuAD's normalisation: lower-cased, without punctuation or articles. */
export function answerTokens(text: string): string[] {
  return splitWhitespace(text.toLowerCase().replace(asciiPunctuation, "").replace(articles, " "));
}

/** SQuAD's normalize_answer: the normalised words joined by single spaces. */
export function normalizeAnswer(text: string): string {
  return answerTokens(text).join(" ");
}

/** 1 if the normalised prediction equals a normalised reference, else 0. */
export function exactMatch(prediction: string, references: readonly string[]): number {
  checkReferences(references, "exact_match");
  const normalized = normalizeAnswer(prediction);
  return references.some((reference) => normalizeAnswer(reference) === normalized) ? 1 : 0;
}

/** The F1 of the normalised words the prediction shares with its best reference. */
export function tokenF1(prediction: string, references: readonly string[]): number {
  checkReferences(references, "token_f1");
  const predicted = answerTokens(prediction);
  const predictedCounts = countNgrams(predicted, 1);
  let best = 0;
  for (const reference of references) {
    best = Math.max(best, answerF1(predicted, predictedCounts, answerTokens(reference)));
  }
  return best;
}

function answerF1(
  predicted: readonly string[],
  predictedCounts: ReadonlyMap<string, number>,
  reference: readonly string[],
): number {
  // An empty answer (SQuAD 2.0's "no answer") scores 1 against an empty one, else 0.
  if (predicted.length === 0 || reference.length === 0) {
    return predicted.length === reference.length ? 1 : 0;
  }
  const shared = sharedCount(predictedCounts, countNgrams(reference, 1));
  return f1(shared / predicted.length, shared / reference.length);
}
