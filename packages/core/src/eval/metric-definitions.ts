/**
 * The metrics that score generated text, in one place: their range, which tasks they suit and
 * which way is better. Keys are snake_case, as users write them in a study's objectives. Plain data
 * with no imports, so a browser page can read it without loading the spec's schemas; as the
 * training metrics in ../trial/metric-definitions.ts.
 */

/**
 * The tasks whose generations are scored. Summarisation and translation are instruction tasks:
 * ROUGE suits summaries, BLEU and chrF translations.
 */
export type GenerationTask = "instruction" | "dialogue" | "classification";

export interface GenerationMetricDefinition {
  /** A short name for forms and charts. */
  label: string;
  /** Which values are better: all of these are maximised. */
  better: "higher";
  /** The least and the most a score can be. */
  range: readonly [number, number];
  tasks: readonly GenerationTask[];
  description: string;
}

export const generationMetrics = {
  exact_match: {
    label: "Exact match",
    better: "higher",
    range: [0, 1],
    tasks: ["instruction"],
    description:
      "Share of answers equal to a reference after SQuAD's normalisation (case, punctuation, articles, spacing).",
  },
  token_f1: {
    label: "Token F1",
    better: "higher",
    range: [0, 1],
    tasks: ["instruction", "dialogue"],
    description:
      "Mean F1 of the words an answer shares with its best reference, as SQuAD scores it.",
  },
  rouge1: {
    label: "ROUGE-1",
    better: "higher",
    range: [0, 1],
    tasks: ["instruction", "dialogue"],
    description: "Mean F-measure of the words shared with the best reference (rouge-score's).",
  },
  rouge2: {
    label: "ROUGE-2",
    better: "higher",
    range: [0, 1],
    tasks: ["instruction"],
    description: "Mean F-measure of the word pairs shared with the best reference (rouge-score's).",
  },
  rougeL: {
    label: "ROUGE-L",
    better: "higher",
    range: [0, 1],
    tasks: ["instruction", "dialogue"],
    description:
      "Mean F-measure of the longest common word subsequence with the best reference (rouge-score's).",
  },
  bleu: {
    label: "BLEU",
    better: "higher",
    range: [0, 100],
    tasks: ["instruction", "dialogue"],
    description:
      "Corpus BLEU as sacreBLEU computes it (13a tokens, exp smoothing), for translation.",
  },
  chrf: {
    label: "chrF",
    better: "higher",
    range: [0, 100],
    tasks: ["instruction"],
    description:
      "Corpus chrF2 of character 1- to 6-grams as sacreBLEU computes it, for translation.",
  },
  chrf_pp: {
    label: "chrF++",
    better: "higher",
    range: [0, 100],
    tasks: ["instruction"],
    description:
      "Corpus chrF++ as sacreBLEU computes it: chrF2 with word 1- and 2-grams beside the character n-grams.",
  },
  accuracy: {
    label: "Accuracy",
    better: "higher",
    range: [0, 1],
    tasks: ["classification"],
    description: "Share of generated answers that name the example's label.",
  },
  macro_f1: {
    label: "Macro-F1",
    better: "higher",
    range: [0, 1],
    tasks: ["classification"],
    description: "Mean over labels of each label's F1, the generated answers read as labels.",
  },
} as const satisfies Record<string, GenerationMetricDefinition>;

export type GenerationMetricKey = keyof typeof generationMetrics;

/** The metrics that suit a task. */
export function metricsForTask(task: GenerationTask): GenerationMetricKey[] {
  return (Object.keys(generationMetrics) as GenerationMetricKey[]).filter((key) =>
    (generationMetrics[key].tasks as readonly GenerationTask[]).includes(task),
  );
}
