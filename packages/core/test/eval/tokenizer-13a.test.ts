// sacreBLEU's 13a tokenizer; the expected tokens are what sacreBLEU 2.6.0's Tokenizer13a returned
// for these lines (sacrebleu-reference.py beside this file).
import { describe, expect, it } from "vitest";
import { tokenize13a } from "../../src/eval/tokenizer-13a.ts";

describe("13a tokenization", () => {
  it.each([
    [
      "Hello, world! It's 3.14 or 1,000 -- isn't it?",
      "Hello , world ! It's 3.14 or 1,000 -- isn't it ?",
    ],
    [
      "x=5; y<=10 & z>2 (see [1]) {a|b} ~c ^d _e `f` @g #h $9.99 50% 1-2 a-b",
      "x = 5 ; y < = 10 & z > 2 ( see [ 1 ] ) { a | b } ~ c ^ d _ e ` f ` @ g # h $ 9.99 50 % 1 - 2 a-b",
    ],
    [
      "&quot;Quoted&quot; &amp; &lt;tag&gt; <skipped> word-\nbroken line\nnext.",
      '" Quoted " & < tag > wordbroken line next .',
    ],
    ["End with period. Trailing,comma 3.a a.3", "End with period . Trailing , comma 3 . a a . 3"],
  ])("%j", (line, expected) => {
    expect(tokenize13a(line)).toBe(expected);
  });
});
