// The shared helpers follow Python's string semantics, which the reference implementations rely on.
import { describe, expect, it } from "vitest";
import {
  asciiPunctuation,
  countNgrams,
  isAsciiPunctuation,
  sharedCount,
  splitWhitespace,
  stripTrailingWhitespace,
} from "../../src/eval/text.ts";

describe("Python's whitespace", () => {
  it("splits as str.split(): U+001C-U+001F and U+0085 separate, U+FEFF does not", () => {
    expect(splitWhitespace("  a\u001cb\u0085c\ufeffd\u3000e \n")).toEqual([
      "a",
      "b",
      "c\ufeffd",
      "e",
    ]);
    expect(splitWhitespace(" \t ")).toEqual([]);
  });

  it("strips the end as str.rstrip()", () => {
    expect(stripTrailingWhitespace(" a b \u001f\u00a0\n")).toBe(" a b");
    expect(stripTrailingWhitespace("a\ufeff")).toBe("a\ufeff");
  });
});

describe("Python's string.punctuation", () => {
  it("is ASCII's punctuation and symbols, all of them and no others", () => {
    const python = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    expect(ascii.filter(isAsciiPunctuation).join("")).toBe(python);
    expect(ascii.join("").replace(asciiPunctuation, "")).toHaveLength(128 - python.length);
    expect(isAsciiPunctuation("«")).toBe(false);
  });
});

describe("n-gram counts", () => {
  it("counts each n-gram and clips shared ones to the smaller count", () => {
    const a = countNgrams(["a", "b", "a", "b", "a"], 2);
    expect([...a]).toEqual([
      ["a b", 2],
      ["b a", 2],
    ]);
    expect(sharedCount(a, countNgrams(["a", "b", "c", "b", "a"], 2))).toBe(2);
    expect(countNgrams(["a"], 2).size).toBe(0);
  });
});
