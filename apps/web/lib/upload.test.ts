import { DATASET_MAX_BYTES } from "@attune/db/limits";
import { describe, expect, it } from "vitest";
import { csvToJsonl, datasetNameFromFile, sizeProblem, uploadKind, utf8Length } from "./upload.ts";

describe("the size limit", () => {
  it("refuses empty and oversized files before they are read", () => {
    expect(sizeProblem(0)).toMatch(/empty/);
    expect(sizeProblem(DATASET_MAX_BYTES)).toBeUndefined();
    expect(sizeProblem(DATASET_MAX_BYTES + 1)).toBe(
      "The file is 32.0 MiB; datasets can be at most 32.0 MiB.",
    );
    expect(sizeProblem(50 * 1024 * 1024)).toMatch(/^The file is 50\.0 MiB/);
  });

  it("counts UTF-8 bytes", () => {
    expect(utf8Length("aé😀")).toBe(1 + 2 + 4);
  });
});

describe("uploadKind", () => {
  it.each([
    ["corpus.txt", "text"],
    ["NOTES.MD", "text"],
    ["samples.jsonl", "jsonl"],
    ["samples.ndjson", "jsonl"],
    ["reviews.csv", "csv"],
    ["model.bin", undefined],
    ["README", undefined],
  ])("%s is %s", (name, kind) => expect(uploadKind(name)).toBe(kind));
});

describe("csvToJsonl", () => {
  it("takes the text and label columns, in any order and case", () => {
    const { jsonl, samples, labelled } = csvToJsonl("id,Label,TEXT\n1,spam,buy now\n2,ham,hi\n\n");
    expect(jsonl).toBe('{"text":"buy now","label":"spam"}\n{"text":"hi","label":"ham"}');
    expect({ samples, labelled }).toEqual({ samples: 2, labelled: true });
  });

  it("takes the only column as the text", () => {
    expect(csvToJsonl("sentence\nfirst\nsecond").jsonl).toBe('{"text":"first"}\n{"text":"second"}');
  });

  it("says what is wrong, and where", () => {
    expect(() => csvToJsonl("a,b\n1,2")).toThrow('no "text" column: the header has "a", "b"');
    expect(() => csvToJsonl("text,label\nx,\n")).toThrow("row 2: the label is empty");
    expect(() => csvToJsonl("text,other\nx,1\n,2")).toThrow("row 3: the text is empty");
    expect(() => csvToJsonl("text\n")).toThrow("no rows");
    expect(() => csvToJsonl("")).toThrow("empty");
  });
});

describe("datasetNameFromFile", () => {
  it("drops the extension", () => {
    expect(datasetNameFromFile("tiny_shakespeare.txt")).toBe("tiny_shakespeare");
    expect(datasetNameFromFile(".jsonl")).toBe(".jsonl");
  });
});
