// Classification by generated label, on hand-worked cases.
import { describe, expect, it } from "vitest";
import { classificationScores, LabelMatcher } from "../../src/eval/classification.ts";

describe("reading a generated answer as a label", () => {
  const sentiment = new LabelMatcher(["positive", "negative", "neutral"]);

  it.each([
    ["Positive", "positive"],
    ["  NEGATIVE. ", "negative"],
    ["negative\nThe reviewer hated it.", "negative"],
    ["Positive, mostly.", "positive"],
    ["I think it is positive", null],
    ["positively", null],
    ["", null],
  ])("%j names %j", (answer, label) => {
    expect(sentiment.match(answer)).toBe(label);
  });

  it("prefers the longest label that starts the answer", () => {
    const spam = new LabelMatcher(["not", "not spam", "spam"]);
    expect(spam.match("Not spam, clearly")).toBe("not spam");
    expect(spam.match("not sure")).toBe("not");
  });

  it("keeps articles, so the letters of a multiple choice are labels", () => {
    const choice = new LabelMatcher(["A", "B", "C", "D"]);
    expect(choice.match("a")).toBe("A");
    expect(choice.match("B) Paris")).toBe("B");
    expect(choice.match("The answer is C")).toBe(null);
  });

  it("refuses labels that read the same or read as nothing", () => {
    expect(() => new LabelMatcher(["Yes", "yes."])).toThrow(/"Yes" and "yes\." read the same/);
    expect(() => new LabelMatcher(["yes", "?"])).toThrow(/"\?" is empty once normalised/);
  });
});

describe("accuracy and macro-F1", () => {
  it("scores a hand-worked set", () => {
    const gold = ["positive", "negative", "neutral", "positive", "negative", "neutral"];
    const answers = [
      "Positive", // positive, right
      "negative.", // negative, right
      "Positive, mostly.", // positive, wrong
      "I think it is positive", // no label, wrong
      "NEGATIVE\nThe reviewer hated it", // negative, right
      "neutral", // neutral, right
    ];
    const scores = classificationScores(answers, gold);
    expect(scores.predicted).toEqual([
      "positive",
      "negative",
      "positive",
      null,
      "negative",
      "neutral",
    ]);
    expect(scores.accuracy).toBeCloseTo(4 / 6, 12);
    // F1: positive P 1/2 R 1/2 -> 1/2; negative 1; neutral P 1 R 1/2 -> 2/3. Mean 13/18.
    expect(scores.macroF1).toBeCloseTo(13 / 18, 12);
  });

  it("averages over the labels that are gold or predicted, not the whole label set", () => {
    const scores = classificationScores(
      ["positive", "negative"],
      ["positive", "positive"],
      ["positive", "negative", "neutral"],
    );
    // positive: P 1, R 1/2 -> 2/3; negative: predicted once, never right -> 0; neutral unseen.
    expect(scores.accuracy).toBe(0.5);
    expect(scores.macroF1).toBeCloseTo(1 / 3, 12);
  });

  it("matches gold labels to the label set by their normalised text", () => {
    const scores = classificationScores(["yes"], ["Yes."], ["yes", "no"]);
    expect(scores.accuracy).toBe(1);
    expect(scores.macroF1).toBe(1);
  });

  it("says what does not fit", () => {
    expect(() => classificationScores(["yes"], ["maybe"], ["yes", "no"])).toThrow(
      /Gold label "maybe" is not in the label set \["yes","no"\]/,
    );
    expect(() => classificationScores(["yes"], [])).toThrow(/1 answers but 0 gold labels/);
    expect(() => classificationScores([], [])).toThrow(/No answers/);
  });
});
