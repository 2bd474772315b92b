// Exact match and token F1 as SQuAD's official evaluation script (v2.0) defines them, on
// hand-worked cases.
import { describe, expect, it } from "vitest";
import { exactMatch, normalizeAnswer, tokenF1 } from "../../src/eval/squad.ts";

describe("SQuAD normalisation", () => {
  it.each([
    ["The  Eiffel Tower!", "eiffel tower"],
    ["An apple a day", "apple day"],
    // Punctuation goes before articles: "the-end" loses its hyphen and keeps "theend".
    ["the-end", "theend"],
    // Articles only as whole words, Unicode-aware as Python's \b: "anthem", "thé" and "éthe" stay.
    ["anthem thé éthe a", "anthem thé éthe"],
    // Only ASCII punctuation, as Python's string.punctuation.
    ["«Paris» — 1,000", "«paris» — 1000"],
    ["\tTabs\nand\u00a0spaces ", "tabs and spaces"],
  ])("%j -> %j", (text, normalized) => {
    expect(normalizeAnswer(text)).toBe(normalized);
  });
});

describe("exact match", () => {
  it("is 1 when the normalised answer equals any reference", () => {
    expect(exactMatch("the Eiffel tower.", ["Eiffel Tower"])).toBe(1);
    expect(exactMatch("Paris", ["London", "paris"])).toBe(1);
    expect(exactMatch("Eiffel", ["Eiffel Tower"])).toBe(0);
  });

  it("needs a reference", () => {
    expect(() => exactMatch("Paris", [])).toThrow(/exact_match: an example has no reference/);
  });
});

describe("token F1", () => {
  it("scores the words shared with the best reference", () => {
    // "the cat sat on the mat" -> cat sat on mat (4); "a cat on a mat" -> cat on mat (3).
    // Shared 3: P = 3/4, R = 3/3, F1 = 2 * 0.75 / 1.75 = 6/7.
    expect(tokenF1("the cat sat on the mat", ["a cat on a mat"])).toBeCloseTo(6 / 7, 12);
    // The better of two references counts.
    expect(tokenF1("the cat sat on the mat", ["dog", "a cat on a mat"])).toBeCloseTo(6 / 7, 12);
  });

  it("counts a repeated word as often as both sides have it", () => {
    // "new new york" vs "new york": shared new 1 + york 1 = 2; P = 2/3, R = 1, F1 = 0.8.
    expect(tokenF1("new new york", ["New York"])).toBeCloseTo(0.8, 12);
  });

  it("scores an empty answer 1 against an empty reference, else 0 (SQuAD 2.0)", () => {
    expect(tokenF1("The.", ["a"])).toBe(1);
    expect(tokenF1("", ["Paris"])).toBe(0);
    expect(tokenF1("Paris", ["the"])).toBe(0);
    expect(tokenF1("Paris", ["London"])).toBe(0);
  });
});
