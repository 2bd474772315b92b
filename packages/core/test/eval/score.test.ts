// Scoring generations by a metric's key, on worked examples: the SQuAD and ROUGE values by hand,
// BLEU and chrF as sacreBLEU 2.6.0 computed them (sacrebleu-reference.py beside this file; the
// second example's sentence BLEU is also worked by hand below).
import { describe, expect, it } from "vitest";
import { sentenceBleu } from "../../src/eval/bleu.ts";
import { corpusChrf, sentenceChrf } from "../../src/eval/chrf.ts";
import {
  type GenerationMetricKey,
  generationMetrics,
  metricsForTask,
} from "../../src/eval/metric-definitions.ts";
import { scoreGenerations } from "../../src/eval/score.ts";

const worked = [
  { prediction: "The cat sat on the mat.", references: ["The cat sat on the mat."] },
  { prediction: "a cat on a mat", references: ["the cat sat on the mat"] },
  { prediction: "Paris", references: ["paris, france"] },
];

// Each example's score. token_f1, second: "cat on mat" vs "cat sat on mat", P 1, R 3/4 -> 6/7.
// rouge1 and rougeL, second: 3 of the 5 tokens (a cat on a mat) in the 6 of the reference,
// P 3/5, R 1/2 -> 6/11, no bigram shared; third: P 1, R 1/2 -> 2/3, no bigram at all.
const perExample: Partial<Record<GenerationMetricKey, number[]>> = {
  exact_match: [1, 0, 0],
  token_f1: [1, 6 / 7, 2 / 3],
  rouge1: [1, 6 / 11, 2 / 3],
  rouge2: [1, 0, 0],
  rougeL: [1, 6 / 11, 2 / 3],
};

describe("scoring generations by key", () => {
  it.each(Object.entries(perExample))("%s averages the examples' scores", (key, scores) => {
    const mean = scores.reduce((sum, score) => sum + score, 0) / scores.length;
    expect(scoreGenerations(key as GenerationMetricKey, worked)).toBeCloseTo(mean, 12);
  });

  it("bleu and chrf are corpus scores, not means of sentence scores", () => {
    expect(scoreGenerations("bleu", worked)).toBeCloseTo(52.574767473552406, 9);
    expect(scoreGenerations("chrf", worked)).toBeCloseTo(54.55744986922076, 9);
    expect(scoreGenerations("chrf_pp", worked)).toBeCloseTo(
      corpusChrf(
        worked.map((example) => example.prediction),
        worked.map((example) => example.references),
        { wordOrder: 2 },
      ),
      12,
    );
    const sentence = [100.00000000000004, 11.51015341649912, 0];
    worked.forEach(({ prediction, references }, i) => {
      expect(sentenceBleu(prediction, references).score).toBeCloseTo(sentence[i] as number, 9);
    });
    // By hand: 1-gram precision 3/5; no 2- to 4-gram matches, which exp smoothing makes
    // 1/(2*4), 1/(4*3), 1/(8*2); brevity penalty exp(1 - 6/5).
    const byHand = 100 * Math.exp(-0.2) * (0.6 * (1 / 8) * (1 / 12) * (1 / 16)) ** (1 / 4);
    expect(sentenceBleu("a cat on a mat", ["the cat sat on the mat"]).score).toBeCloseTo(byHand, 9);
    const chrf = [100, 22.69498009298358, 21.144636836390653];
    worked.forEach(({ prediction, references }, i) => {
      expect(sentenceChrf(prediction, references)).toBeCloseTo(chrf[i] as number, 9);
    });
  });

  it("accuracy and macro_f1 read each prediction as a label of the set", () => {
    const examples = [
      { prediction: "Yes.", references: ["yes"] },
      { prediction: "no", references: ["yes"] },
      { prediction: "No, it is not", references: ["no"] },
    ];
    expect(scoreGenerations("accuracy", examples)).toBeCloseTo(2 / 3, 12);
    // yes: P 1, R 1/2 -> 2/3; no: P 1/2, R 1 -> 2/3.
    expect(scoreGenerations("macro_f1", examples)).toBeCloseTo(2 / 3, 12);
    expect(scoreGenerations("accuracy", examples, { labels: ["yes", "no", "maybe"] })).toBeCloseTo(
      2 / 3,
      12,
    );
    expect(() => scoreGenerations("accuracy", [{ prediction: "yes", references: [] }])).toThrow(
      /Example 0 has 0 references; classification needs its one gold label/,
    );
  });

  it("every metric scores within its range, and an empty set is refused", () => {
    const classified = [{ prediction: "yes", references: ["yes"] }];
    const classifiers: string[] = metricsForTask("classification");
    for (const [key, definition] of Object.entries(generationMetrics)) {
      const examples = classifiers.includes(key) ? classified : worked;
      const score = scoreGenerations(key as GenerationMetricKey, examples);
      expect(score).toBeGreaterThanOrEqual(definition.range[0]);
      expect(score).toBeLessThanOrEqual(definition.range[1]);
      expect(() => scoreGenerations(key as GenerationMetricKey, [])).toThrow(
        `${key}: no generations to score`,
      );
    }
  });
});

describe("the metric registry", () => {
  it("lists the metrics of each task", () => {
    expect(metricsForTask("classification")).toEqual(["accuracy", "macro_f1"]);
    expect(metricsForTask("instruction")).toEqual([
      "exact_match",
      "token_f1",
      "rouge1",
      "rouge2",
      "rougeL",
      "bleu",
      "chrf",
      "chrf_pp",
    ]);
    expect(metricsForTask("dialogue")).toEqual(["token_f1", "rouge1", "rougeL", "bleu"]);
  });
});
