import { describe, expect, it } from "vitest";
import {
  createTokenizer,
  END_OF_TEXT,
  type Tokenizer,
  tokenizerFromJSON,
} from "../../src/data/tokenizers.ts";

// Astral-plane emoji (surrogate pairs), a skin-tone modifier, a ZWJ family, a combining acute accent,
// CRLF, CJK, NUL, the last code point, and a literal "<|endoftext|>" that must stay ordinary text.
const TRICKY =
  "Héllo, wörld! 👍🏽 👨‍👩‍👧 e\u0301 line\r\nnext\t日本語 \0 \u{10FFFF} 𝕏 <|endoftext|> end.";

function roundTrip(tokenizer: Tokenizer, text: string): string {
  return tokenizer.decode(tokenizer.encode(text));
}

describe("char tokenizer", () => {
  it("builds its vocabulary from the corpus's code points, sorted, with end-of-text last", () => {
    // By UTF-16 units 😀 (D83D DE00) would sort before Ａ (FF21); by code point it comes after.
    const tokenizer = createTokenizer("char", "b😀aＡba");
    expect(tokenizer.toJSON()).toEqual({ kind: "char", vocabulary: ["a", "b", "Ａ", "😀"] });
    expect(tokenizer.vocabSize).toBe(5);
    expect(tokenizer.endOfText).toBe(4);
    expect(tokenizer.encode("😀ab")).toEqual([3, 0, 1]);
    expect(tokenizer.decode([0, 4, 1])).toBe(`a${END_OF_TEXT}b`);
  });

  it("round-trips tricky Unicode exactly", () => {
    const tokenizer = createTokenizer("char", TRICKY);
    expect(tokenizer.encode(TRICKY)).toHaveLength([...TRICKY].length);
    expect(roundTrip(tokenizer, TRICKY)).toBe(TRICKY);
  });

  it("names a character that is not in the vocabulary and its position", () => {
    const tokenizer = createTokenizer("char", "abc");
    expect(() => tokenizer.encode("ab😀c")).toThrow(
      'character "😀" (U+1F600) at position 2 (counting code points) is not in the tokenizer\'s vocabulary of 3 characters',
    );
    expect(() => tokenizer.decode([0, 7])).toThrow("token 7 at index 1 is not in the vocabulary");
  });

  it("needs a corpus", () => {
    expect(() => createTokenizer("char")).toThrow(/needs a non-empty corpus/);
    expect(() => createTokenizer("char", "")).toThrow(/needs a non-empty corpus/);
  });
});

describe("byte tokenizer", () => {
  const tokenizer = createTokenizer("byte");

  it("encodes UTF-8 bytes, with end-of-text as 256", () => {
    expect(tokenizer.vocabSize).toBe(257);
    expect(tokenizer.endOfText).toBe(256);
    expect(tokenizer.encode("aé😀")).toEqual([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    expect(tokenizer.decode([0x61, 256, 0xc3, 0xa9])).toBe(`a${END_OF_TEXT}é`);
  });

  it("round-trips tricky Unicode exactly", () => {
    expect(roundTrip(tokenizer, TRICKY)).toBe(TRICKY);
  });

  it("refuses a lone surrogate instead of silently replacing it", () => {
    expect(() => tokenizer.encode("ab\ud83dc")).toThrow(/lone surrogate .* at UTF-16 index 2/);
    expect(() => tokenizer.decode([257])).toThrow(/token 257 at index 0/);
  });
});

describe("gpt2 tokenizer", () => {
  const tokenizer = createTokenizer("gpt2");

  it("is GPT-2's r50k_base with <|endoftext|> as 50256", () => {
    expect(tokenizer.vocabSize).toBe(50257);
    expect(tokenizer.endOfText).toBe(50256);
    // GPT-2's well-known ids for "Hello world".
    expect(tokenizer.encode("Hello world")).toEqual([15496, 995]);
    expect(tokenizer.decode([50256])).toBe(END_OF_TEXT);
  });

  it("round-trips tricky Unicode exactly and never emits end-of-text for literal text", () => {
    const tokens = tokenizer.encode(TRICKY);
    expect(tokens).not.toContain(50256);
    expect(tokenizer.decode(tokens)).toBe(TRICKY);
  });

  it("refuses a lone surrogate and out-of-range tokens", () => {
    expect(() => tokenizer.encode("\udc00")).toThrow(/lone surrogate/);
    expect(() => tokenizer.decode([1, -1])).toThrow(/token -1 at index 1/);
  });
});

describe("tokenizer JSON", () => {
  it("restores each kind so that it encodes identically", () => {
    for (const tokenizer of [
      createTokenizer("char", TRICKY),
      createTokenizer("byte"),
      createTokenizer("gpt2"),
    ]) {
      const restored = tokenizerFromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())));
      expect(restored.kind).toBe(tokenizer.kind);
      expect(restored.vocabSize).toBe(tokenizer.vocabSize);
      expect(restored.endOfText).toBe(tokenizer.endOfText);
      expect(restored.encode(TRICKY)).toEqual(tokenizer.encode(TRICKY));
    }
  });

  it("rejects malformed JSON with a reason", () => {
    expect(() => tokenizerFromJSON({ kind: "wordpiece" })).toThrow(/kind must be "char"/);
    expect(() => tokenizerFromJSON({ kind: "char" })).toThrow(/vocabulary/);
    expect(() => tokenizerFromJSON({ kind: "char", vocabulary: ["a", "bc"] })).toThrow(
      /vocabulary\[1\] is "bc", not one character/,
    );
    expect(() => tokenizerFromJSON({ kind: "char", vocabulary: ["a", "a"] })).toThrow(/duplicate/);
  });
});
