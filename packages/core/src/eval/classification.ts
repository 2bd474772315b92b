/**
 * Classification by generated label: the model writes its answer, which is read as one of a fixed
 * set of labels, then scored by accuracy and macro-F1.
 *
 * Reading the answer: the generated text and the labels are normalised alike (lower-cased, ASCII
 * punctuation turned to spaces, whitespace collapsed; articles are kept, so labels such as "A" or
 * "B" of a multiple choice survive). The answer names a label when its normalised text is that
 * label's, or else starts with it as whole words ("Positive. The review praises..." names
 * "positive"); where several labels start it, the longest wins ("not spam" over "not"). Anything
 * else names no label and is wrong.
 */
import { asciiPunctuation, f1, splitWhitespace } from "./text.ts";

export function normalizeLabel(text: string): string {
  return splitWhitespace(text.toLowerCase().replace(asciiPunctuation, " ")).join(" ");
}

/** Reads generated answers as labels of one label set. */
export class LabelMatcher {
  /** Label by normalised label. */
  private readonly byNormalized = new Map<string, string>();
  /** The normalised labels, longest first, so the first prefix found is the longest. */
  private readonly longestFirst: string[];

  constructor(readonly labels: readonly string[]) {
    for (const label of labels) {
      const normalized = normalizeLabel(label);
      if (normalized === "") {
        throw new Error(`Label ${JSON.stringify(label)} is empty once normalised`);
      }
      const other = this.byNormalized.get(normalized);
      if (other !== undefined && other !== label) {
        throw new Error(
          `Labels ${JSON.stringify(other)} and ${JSON.stringify(label)} read the same once normalised ("${normalized}")`,
        );
      }
      this.byNormalized.set(normalized, label);
    }
    this.longestFirst = [...this.byNormalized.keys()].sort((a, b) => b.length - a.length);
  }

  /** The label whose normalised text is the text's, or null. */
  exact(text: string): string | null {
    return this.byNormalized.get(normalizeLabel(text)) ?? null;
  }

  /** The label the answer names, or null if it names none. */
  match(answer: string): string | null {
    const normalized = normalizeLabel(answer);
    const exact = this.byNormalized.get(normalized);
    if (exact !== undefined) return exact;
    const prefix = this.longestFirst.find((label) => normalized.startsWith(`${label} `));
    return prefix === undefined ? null : (this.byNormalized.get(prefix) ?? null);
  }
}

export interface ClassificationScores {
  /** Share of answers that name their example's label. */
  accuracy: number;
  /**
   * The mean over labels of each label's F1, over the labels that are some example's gold label
   * or some answer's (scikit-learn's default); a label never predicted right has F1 0.
   */
  macroF1: number;
  /** The label each answer names, or null. */
  predicted: (string | null)[];
}

/**
 * Scores generated answers against gold labels. The label set defaults to the gold labels seen;
 * each gold label must belong to it.
 */
export function classificationScores(
  answers: readonly string[],
  goldLabels: readonly string[],
  labels: readonly string[] = [...new Set(goldLabels)],
): ClassificationScores {
  if (answers.length !== goldLabels.length) {
    throw new Error(`${answers.length} answers but ${goldLabels.length} gold labels`);
  }
  if (answers.length === 0) throw new Error("No answers to score");
  const matcher = new LabelMatcher(labels);
  const gold = goldLabels.map((label) => {
    const matched = matcher.exact(label);
    if (matched === null) {
      throw new Error(
        `Gold label ${JSON.stringify(label)} is not in the label set ${JSON.stringify(labels)}`,
      );
    }
    return matched;
  });
  const predicted = answers.map((answer) => matcher.match(answer));
  const correct = predicted.filter((label, i) => label === gold[i]).length;
  return { accuracy: correct / answers.length, macroF1: macroF1(predicted, gold), predicted };
}

function macroF1(predicted: readonly (string | null)[], gold: readonly string[]): number {
  const classes = new Set<string>(gold);
  for (const label of predicted) if (label !== null) classes.add(label);
  let sum = 0;
  for (const label of classes) {
    let truePositives = 0;
    let predictedCount = 0;
    let goldCount = 0;
    predicted.forEach((answer, i) => {
      if (answer === label) predictedCount++;
      if (gold[i] === label) goldCount++;
      if (answer === label && gold[i] === label) truePositives++;
    });
    sum += truePositives === 0 ? 0 : f1(truePositives / predictedCount, truePositives / goldCount);
  }
  return sum / classes.size;
}
