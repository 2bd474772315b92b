import { describe, expect, it } from "vitest";
import {
  type BuiltinCorpusName,
  builtinCorpora,
  instructionCorpora,
  loadCorpus,
  loadInstructionCorpus,
} from "../../src/data/corpora.ts";
import type { TextDataset } from "../../src/data/text-dataset.ts";

const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

// Each corpus is loaded once for the whole file: SpamAssassin alone takes most of a second.
const loaded = new Map<BuiltinCorpusName, Promise<TextDataset>>();
function corpus(name: BuiltinCorpusName): Promise<TextDataset> {
  if (!loaded.has(name)) loaded.set(name, loadCorpus(name));
  return loaded.get(name) as Promise<TextDataset>;
}

describe("built-in corpora", () => {
  it("Moby Dick is the whole novel as one text", async () => {
    const { format, samples } = await corpus("moby-dick");
    expect(format).toBe("text");
    expect(samples).toHaveLength(1);
    const text = samples[0]?.text ?? "";
    expect(utf8Bytes(text)).toBeGreaterThan(1_000_000);
    expect(text).toContain("Call me Ishmael. Some years ago");
    expect(text).toContain("It was the devious-cruising Rachel");
  });

  it("the State of the Union addresses are one sample each, from 1790 on", async () => {
    const { format, samples, labels } = await corpus("sotu");
    expect(format).toBe("jsonl");
    expect(labels).toBeUndefined();
    expect(samples.length).toBeGreaterThan(200);
    expect(samples[0]?.text).toMatch(/^Fellow-Citizens of the Senate and House of Representatives/);
  });

  it("SpamAssassin is mail labelled spam or ham", async () => {
    const { format, samples, labels } = await corpus("spam-assassin");
    expect(format).toBe("jsonl");
    expect(labels).toEqual(["ham", "spam"]);
    const spam = samples.filter((sample) => sample.label === "spam").length;
    const ham = samples.filter((sample) => sample.label === "ham").length;
    // easy-ham-1, easy-ham-2, hard-ham-1; spam-1, spam-2
    expect(ham).toBe(2500 + 1400 + 250);
    expect(spam).toBe(500 + 1396);
    expect(samples[0]?.text).toMatch(/^From /);
  });

  it("lists each corpus with the size it really has", async () => {
    expect(builtinCorpora.map((corpus) => [corpus.name, corpus.task])).toEqual([
      ["moby-dick", "language-modelling"],
      ["sotu", "language-modelling"],
      ["spam-assassin", "classification"],
    ]);
    for (const { name, size } of builtinCorpora) {
      const { samples } = await corpus(name);
      const bytes = samples.reduce((sum, sample) => sum + utf8Bytes(sample.text), 0);
      expect({ name, samples: samples.length, bytes }).toEqual({ name, ...size });
    }
  });

  it("names the corpora when asked for an unknown one", async () => {
    // @ts-expect-error: a name from outside TypeScript, as the API may pass
    await expect(loadCorpus("wikitext")).rejects.toThrow(
      'unknown corpus "wikitext": the built-in corpora are moby-dick, sotu, spam-assassin',
    );
  });
});

describe("built-in instruction corpora", () => {
  it("CMUdict is words prompting their phonemes, one pronunciation each", async () => {
    const dataset = await loadInstructionCorpus("cmudict");
    expect(dataset.format).toBe("prompt-completion");
    const examples = dataset.format === "prompt-completion" ? dataset.examples : [];
    const byWord = new Map(examples.map((example) => [example.prompt, example.completion]));
    expect(byWord.get("ABERDEEN")).toBe("AE1 B ER0 D IY2 N");
    expect(byWord.get("TOMATO")).toBe("T AH0 M EY1 T OW2");
    expect(byWord.size).toBe(examples.length);
    expect([...byWord.keys()].some((word) => word.endsWith(")"))).toBe(false);
    const [corpus] = instructionCorpora;
    const bytes = examples.reduce(
      (sum, { prompt, completion }) => sum + utf8Bytes(prompt) + utf8Bytes(completion),
      0,
    );
    expect({ name: corpus?.name, samples: examples.length, bytes }).toEqual({
      name: "cmudict",
      ...corpus?.size,
    });
  });
});
