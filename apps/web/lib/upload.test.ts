import { datasetUploadInput, TASKS_OF_FORMAT } from "@attune/api/dataset-inputs";
import { DATASET_MAX_BYTES } from "@attune/db/limits";
import { describe, expect, it } from "vitest";
import {
  csvHeader,
  datasetNameFromFile,
  guessColumns,
  sizeProblem,
  storedFormat,
  uploadFormat,
  uploadKind,
  utf8Length,
} from "./upload.ts";

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

describe("a CSV file's columns", () => {
  it("are read from its header, trimmed", () => {
    expect(csvHeader("word , phonemes\nCAT,K AE1 T\n")).toEqual(["word", "phonemes"]);
    expect(() => csvHeader("")).toThrow("the file is empty");
  });

  it("are first chosen by their names, else in order", () => {
    expect(guessColumns(["id", "Label", "TEXT"], "samples")).toEqual({
      text: "TEXT",
      label: "Label",
    });
    expect(guessColumns(["sentence"], "samples")).toEqual({ text: "sentence" });
    expect(guessColumns(["word", "phonemes"], "prompt-completion")).toEqual({
      prompt: "word",
      completion: "phonemes",
    });
    expect(guessColumns(["completion", "prompt"], "prompt-completion")).toEqual({
      prompt: "prompt",
      completion: "completion",
    });
    expect(guessColumns(["id", "Messages"], "chat")).toEqual({ messages: "Messages" });
    expect(guessColumns(["System", "question", "answer"], "chat")).toEqual({
      user: "question",
      assistant: "answer",
      system: "System",
    });
  });
});

describe("the upload's format", () => {
  it.each([
    ["text", "samples", "text", "text"],
    ["jsonl", "samples", "jsonl", "jsonl"],
    ["jsonl", "prompt-completion", "prompt-completion", "prompt-completion"],
    ["jsonl", "chat", "chat", "chat"],
    ["csv", "samples", "csv", "jsonl"],
    ["csv", "prompt-completion", "csv", "prompt-completion"],
    ["csv", "chat", "csv", "chat"],
  ] as const)("a %s file of %s is read as %s and stored as %s", (kind, records, read, stored) => {
    expect(uploadFormat(kind, records)).toBe(read);
    expect(storedFormat(kind, records)).toBe(stored);
  });

  it("is checked with the procedure's own schema: columns for CSV, a task the data serves", () => {
    const base = {
      projectId: "0b7c3f0e-8d4a-4c1e-9a53-3f2f1d6b7a10",
      name: "g2p",
      tokenizer: "char",
      content: "word,phonemes\nCAT,K AE1 T\n",
    } as const;
    const columns = guessColumns(["word", "phonemes"], "prompt-completion");
    expect(datasetUploadInput.safeParse({ ...base, format: "csv", columns }).success).toBe(true);
    const wrongTask = datasetUploadInput.safeParse({
      ...base,
      format: "csv",
      columns,
      task: "dialogue",
    });
    expect(wrongTask.error?.issues[0]).toMatchObject({
      path: ["task"],
      message: "prompt-completion data serves instruction, not dialogue",
    });
    expect(datasetUploadInput.safeParse({ ...base, format: "csv" }).error?.issues[0]?.path).toEqual(
      ["columns"],
    );
    expect(TASKS_OF_FORMAT[storedFormat("jsonl", "samples")]).toEqual([
      "language-modelling",
      "classification",
    ]);
  });
});

describe("datasetNameFromFile", () => {
  it("drops the extension", () => {
    expect(datasetNameFromFile("tiny_shakespeare.txt")).toBe("tiny_shakespeare");
    expect(datasetNameFromFile(".jsonl")).toBe(".jsonl");
  });
});
