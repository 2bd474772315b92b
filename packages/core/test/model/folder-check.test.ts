// The header-only check of a model folder (folder-check.ts), against the fixture folder that
// importHuggingFaceGPT2 reads (tiny-gpt2.ts).
import { describe, expect, it } from "vitest";
import {
  checkModelFolder,
  readSafetensorsHeader,
  safetensorsHeaderBytes,
  tokenizerVocabularySize,
} from "../../src/model/folder-check.ts";
import { readSafetensors, writeSafetensors } from "../../src/model/safetensors.ts";
import { tinyGpt2Config, tinyGpt2Files, tinyGpt2Tensors } from "./tiny-gpt2.ts";

/** The header of a whole file, read from its first bytes only. */
function headerOf(file: Uint8Array, name = "model.safetensors") {
  return readSafetensorsHeader(file.subarray(0, safetensorsHeaderBytes(file)), file.length, name);
}

describe("a safetensors header read alone", () => {
  it("names the tensors, shapes and offsets that reading the whole file gives", () => {
    const file = tinyGpt2Files().get("model.safetensors") as Uint8Array;
    const header = headerOf(file);
    const whole = readSafetensors(file);
    expect(header.entries.map((entry) => [entry.name, entry.shape])).toEqual(
      [...whole.tensors].map(([name, tensor]) => [name, tensor.shape]),
    );
    expect(header.metadata).toEqual(whole.metadata);
  });

  it("refuses what the file's length contradicts, as reading the whole file does", () => {
    const file = tinyGpt2Files().get("model.safetensors") as Uint8Array;
    const cut = file.subarray(0, file.length - 4);
    expect(() => headerOf(cut)).toThrow(/past the \d+-byte buffer \(truncated file\?\)/);
    expect(() => readSafetensors(cut, "model.safetensors")).toThrow(
      /past the \d+-byte buffer \(truncated file\?\)/,
    );
  });
});

describe("a model folder checked from its headers", () => {
  const headers = (files: Map<string, Uint8Array>) =>
    new Map(
      [...files]
        .filter(([name]) => name.endsWith(".safetensors"))
        .map(([name, bytes]) => [name, headerOf(bytes, name)]),
    );

  it("counts the parameters of a GPT-2 whose shapes are its config's", () => {
    const files = tinyGpt2Files();
    const expected = [...tinyGpt2Tensors().values()].reduce((sum, t) => sum + t.values.length, 0);
    expect(
      checkModelFolder({
        fileNames: [...files.keys()],
        config: tinyGpt2Config,
        weightHeaders: headers(files),
        tokenizerVocabularySize: tinyGpt2Config.vocab_size,
      }),
    ).toEqual({ architecture: "gpt2", parameterCount: expected });
  });

  it("reads sharded weights through the index", () => {
    const tensors = [...tinyGpt2Tensors()];
    const half = Math.floor(tensors.length / 2);
    const shards = new Map([
      ["model-1.safetensors", writeSafetensors(tensors.slice(0, half))],
      ["model-2.safetensors", writeSafetensors(tensors.slice(half))],
    ]);
    const weightMap = Object.fromEntries(
      tensors.map(([name], i) => [name, i < half ? "model-1.safetensors" : "model-2.safetensors"]),
    );
    const checked = checkModelFolder({
      fileNames: ["config.json", ...shards.keys()],
      config: tinyGpt2Config,
      weightsIndex: { weight_map: weightMap },
      weightHeaders: headers(shards),
    });
    expect(checked.architecture).toBe("gpt2");
  });

  it("refuses a missing block and a tokenizer past the embedding, naming them", () => {
    const files = tinyGpt2Files();
    const folder = { fileNames: [...files.keys()], weightHeaders: headers(files) };
    expect(() =>
      checkModelFolder({ ...folder, config: { ...tinyGpt2Config, n_layer: 3 } }),
    ).toThrow("the weights have no tensor h.2.attn.c_attn.weight");
    expect(() =>
      checkModelFolder({ ...folder, config: { ...tinyGpt2Config, n_layer: 1 } }),
    ).toThrow("the weights have more blocks than config.json's n_layer 1");
    expect(() =>
      checkModelFolder({ ...folder, config: tinyGpt2Config, tokenizerVocabularySize: 51 }),
    ).toThrow("the tokenizer has 51 tokens, but the embedding has 50 rows");
  });
});

describe("a tokenizer's vocabulary size", () => {
  it("is the largest id plus one, added tokens included", () => {
    const tokenizer = {
      model: { type: "BPE", vocab: { a: 0, b: 1, c: 2 } },
      added_tokens: [{ id: 5, content: "<|end|>" }],
    };
    expect(tokenizerVocabularySize("tokenizer.json", tokenizer)).toBe(6);
    expect(
      tokenizerVocabularySize("tokenizer.json", {
        model: {
          vocab: [
            ["a", 0],
            ["b", -1],
          ],
        },
      }),
    ).toBe(2);
    expect(tokenizerVocabularySize("vocab.json", { a: 0, b: 1 })).toBe(2);
    expect(() => tokenizerVocabularySize("vocab.json", {})).toThrow(
      "vocab.json: it holds no vocabulary",
    );
  });
});
