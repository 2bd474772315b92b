import { describe, expect, it } from "vitest";
import { bytesToUnicode } from "../../src/data/byte-level-bpe.ts";
import { loadCorpus } from "../../src/data/corpora.ts";
import { readModelTokenizer, tokenizerFolderFiles } from "../../src/data/model-tokenizer.ts";
import { createTokenizer } from "../../src/data/tokenizers.ts";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const folder = (entries: Record<string, Uint8Array | string>) =>
  new Map(
    Object.entries(entries).map(([name, content]) => [
      name,
      typeof content === "string" ? new TextEncoder().encode(content) : content,
    ]),
  );

/** Byte symbols as a vocab.json (id = byte value), and "</s>" after them. */
const byteVocab = () => ({
  ...Object.fromEntries(bytesToUnicode().map((symbol, byte) => [symbol, byte])),
  "</s>": 256,
});

// Astral emoji, a ZWJ sequence, a combining accent, CRLF, CJK, NUL, spacing runs and contractions:
// the cases where GPT-2's pre-tokenizer regex and byte mapping matter.
const SAMPLES = [
  "Hello world",
  "  leading spaces,  double  spaces and trailing   ",
  "It's 2026; naïve café — 日本語 👍🏽 👨‍👩‍👧 e\u0301 \0 line\r\nnext\t\ttab",
  "don't I'll we've they're she'd 'quoted' 12345 3.14159 $100",
];

describe("GPT-2's tokenizer files, rebuilt from gpt-tokenizer's r50k_base", async () => {
  const gpt2 = createTokenizer("gpt2");
  const files = tokenizerFolderFiles(gpt2);
  const mobyDick = (await loadCorpus("moby-dick")).samples[0]?.text.slice(20_000, 40_000) ?? "";

  it("writes vocab.json and merges.txt as GPT-2's own", () => {
    expect([...files.keys()].sort()).toEqual([
      "merges.txt",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "vocab.json",
    ]);
    const merges = text(files.get("merges.txt")).split("\n");
    // openai-community/gpt2's merges.txt: a version line, 50,000 merges, the first of them these.
    expect(merges.slice(0, 6)).toEqual(["#version: 0.2", "Ġ t", "Ġ a", "h e", "i n", "r e"]);
    expect(merges.filter((line) => line !== "").length).toBe(50_001);
    const vocab = JSON.parse(text(files.get("vocab.json")));
    expect(Object.keys(vocab).length).toBe(50_257);
    expect(vocab["<|endoftext|>"]).toBe(50_256);
    expect(vocab.Ġthe).toEqual(gpt2.encode(" the")[0]);
    expect(JSON.parse(text(files.get("special_tokens_map.json")))).toEqual({
      bos_token: "<|endoftext|>",
      eos_token: "<|endoftext|>",
      unk_token: "<|endoftext|>",
    });
  });

  it("read back from vocab.json + merges.txt alone, encodes as gpt-tokenizer does", () => {
    const legacy = readModelTokenizer(
      folder({
        "vocab.json": files.get("vocab.json") ?? "",
        "merges.txt": files.get("merges.txt") ?? "",
      }),
      50_257,
    );
    expect(legacy.endOfText).toBe(gpt2.endOfText);
    for (const sample of [...SAMPLES, mobyDick]) {
      const ids = legacy.encode(sample);
      expect(ids).toEqual(gpt2.encode(sample));
      expect(legacy.decode(ids)).toBe(sample);
    }
  });

  it("read back from its tokenizer.json, encodes the same", () => {
    const fromJson = readModelTokenizer(files, 50_257);
    expect(fromJson.encode(mobyDick)).toEqual(gpt2.encode(mobyDick));
    // Unlike the gpt2 kind, which reads it as text, Hugging Face's tokenizers match the special
    // token wherever the text has it.
    expect(fromJson.encode("a<|endoftext|>b")).toEqual([64, 50_256, 65]);
  });
});

describe("readModelTokenizer", () => {
  const bpeFolder = (extra: Record<string, Uint8Array | string> = {}) =>
    folder({ "vocab.json": json(byteVocab()), "merges.txt": "#version: 0.2\n", ...extra });

  // transformers' PreTrainedTokenizerBase._from_pretrained: the map applies only to configs without
  // added_tokens_decoder.
  it("takes special tokens from tokenizer_config.json, special_tokens_map.json's over them", () => {
    const named = readModelTokenizer(
      bpeFolder({ "tokenizer_config.json": json({ eos_token: "</s>" }) }),
      257,
    );
    expect(named.encode("a</s>")).toEqual([97, 256]);
    expect(named.endOfText).toBe(256);
    const overridden = readModelTokenizer(
      bpeFolder({
        "tokenizer_config.json": json({ eos_token: "a" }),
        "special_tokens_map.json": json({ eos_token: { content: "</s>", lstrip: false } }),
      }),
      257,
    );
    expect(overridden.endOfText).toBe(256);
    const newerForm = readModelTokenizer(
      bpeFolder({
        "tokenizer_config.json": json({ eos_token: "a", added_tokens_decoder: {} }),
        "special_tokens_map.json": json({ eos_token: "</s>" }),
      }),
      257,
    );
    expect(newerForm.endOfText).toBe(97);
  });

  it("writes a model's tokenizer back as it read it", () => {
    const config = { eos_token: "</s>", chat_template: "{{ messages }}", pad_token: null };
    const tokenizer = readModelTokenizer(bpeFolder({ "tokenizer_config.json": json(config) }), 257);
    const written = tokenizerFolderFiles(tokenizer);
    expect(JSON.parse(text(written.get("tokenizer_config.json")))).toEqual(config);
    expect(JSON.parse(text(written.get("special_tokens_map.json")))).toEqual({ eos_token: "</s>" });
    const reread = readModelTokenizer(written, 257);
    expect(reread.toJSON()).toEqual(tokenizer.toJSON());
  });

  it("writes a byte tokenizer as byte-level BPE without merges, encoding the same ids", () => {
    const byte = createTokenizer("byte");
    const reread = readModelTokenizer(tokenizerFolderFiles(byte), 257);
    for (const sample of SAMPLES) expect(reread.encode(sample)).toEqual(byte.encode(sample));
    expect(reread.endOfText).toBe(byte.endOfText);
  });

  it("writes a char tokenizer as BPE without merges over its characters, encoding and decoding the same", () => {
    const corpus = SAMPLES.join("\n");
    const char = createTokenizer("char", corpus);
    const written = tokenizerFolderFiles(char);
    const reread = readModelTokenizer(written, char.vocabSize);
    for (const sample of SAMPLES) {
      expect(reread.encode(sample)).toEqual(char.encode(sample));
      expect(reread.decode(char.encode(sample))).toBe(sample);
    }
    expect(reread.endOfText).toBe(char.endOfText);
    // The Fuse decoder: tokenizers' Python decode joins a decoder-less BPE's tokens with spaces.
    expect(JSON.parse(text(written.get("tokenizer.json"))).decoder).toEqual({ type: "Fuse" });
  });

  it("names the files it looked for when the folder has no tokenizer", () => {
    expect(() => readModelTokenizer(folder({ "config.json": "{}" }), 10)).toThrow(
      "the model folder has no tokenizer: looked for tokenizer.json, or vocab.json with merges.txt; its files are config.json",
    );
    expect(() => readModelTokenizer(folder({ "vocab.json": "{}" }), 10)).toThrow(
      /it has vocab.json without merges.txt/,
    );
  });

  it("names the file that is not valid JSON, or not an object", () => {
    expect(() => readModelTokenizer(folder({ "tokenizer.json": "{ not json" }), 10)).toThrow(
      /^tokenizer.json is not valid JSON/,
    );
    expect(() => readModelTokenizer(bpeFolder({ "tokenizer_config.json": "[1]" }), 257)).toThrow(
      "tokenizer_config.json holds an array, not a JSON object",
    );
    const badTemplate = { "tokenizer_config.json": json({ chat_template: 5 }) };
    expect(() => readModelTokenizer(bpeFolder(badTemplate), 257)).toThrow(
      /^invalid tokenizer_config.json: .*chat_template/s,
    );
  });

  it("refuses a vocabulary that differs from the embedding, with both sizes", () => {
    expect(() => readModelTokenizer(bpeFolder(), 300)).toThrow(
      "the tokenizer's vocabulary has 257 tokens (largest id + 1, added tokens included) but the model's embedding has 300 rows: they must be equal",
    );
  });

  it("refuses merges.txt lines and vocab.json entries it cannot use, naming them", () => {
    expect(() =>
      readModelTokenizer(bpeFolder({ "merges.txt": "#version: 0.2\nh e x\n" }), 257),
    ).toThrow('merges.txt line 2 is "h e x", not two tokens separated by one space');
    expect(() => readModelTokenizer(bpeFolder({ "merges.txt": "h e\n" }), 257)).toThrow(
      'merge 1 ("h e") uses "he", which vocab.json does not have',
    );
    const duplicate = { ...byteVocab(), "</s>": 97 };
    expect(() => readModelTokenizer(bpeFolder({ "vocab.json": json(duplicate) }), 257)).toThrow(
      'vocab.json gives id 97 to both "a" and "</s>"',
    );
  });
});
