import { describe, expect, it } from "vitest";
import { datasetAsJsonl } from "../../src/data/jsonl.ts";
import { readDatasetSource } from "../../src/data/source.ts";
import { parseDataset } from "../../src/data/text-dataset.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("datasetAsJsonl", () => {
  it("writes a CSV file's chosen columns as the JSONL its format reads back the same", () => {
    const cases = [
      { text: "body", label: "kind" },
      { prompt: "word", completion: "phonemes" },
      { user: "question", assistant: "answer", system: "persona" },
    ];
    const csv =
      'kind,body,word,phonemes,persona,question,answer\nspam,"Win, now",CAT,K AE1 T,,Hi,Hello\nham,See you,DOG,D AO1 G,Be brief.,2 + 2?,4\n';
    for (const columns of cases) {
      const parsed = parseDataset(bytes(csv), { format: "csv", columns });
      const { format, content } = datasetAsJsonl(parsed);
      const reread = parseDataset(bytes(content), { format });
      // Lines are renumbered: one example a line.
      const withoutLines = (dataset: typeof parsed) =>
        "samples" in dataset
          ? dataset
          : dataset.examples.map(({ line: _line, ...example }) => example);
      expect(withoutLines(reread)).toEqual(withoutLines(parsed));
      expect(content.split("\n")).toHaveLength(2);
    }
  });

  it("keeps a text document as one sample", () => {
    const { format, content } = datasetAsJsonl({ format: "text", samples: [{ text: "a\nb" }] });
    expect({ format, content }).toEqual({ format: "jsonl", content: '{"text":"a\\nb"}' });
  });
});

describe("readDatasetSource", () => {
  it("reads uploaded instruction data and the built-in instruction corpus", async () => {
    const pairs = await readDatasetSource({
      bytes: bytes('{"prompt": "CAT", "completion": "K AE1 T"}'),
      format: "prompt-completion",
    });
    expect(pairs).toEqual({
      format: "prompt-completion",
      examples: [{ line: 1, prompt: "CAT", completion: "K AE1 T" }],
    });
    const cmudict = await readDatasetSource({ corpus: "cmudict" });
    expect(cmudict.format).toBe("prompt-completion");
  });
});
