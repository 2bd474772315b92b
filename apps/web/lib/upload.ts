// Preparing a dataset file in the browser for datasets.upload: its kind from the name, its size
// checked before it is read or sent, and a CSV file's columns offered for the fields they hold.
import type { CsvColumns, DatasetUploadInput } from "@attune/api/dataset-inputs";

export type { CsvColumns };

import { CsvError, parseCsv } from "@attune/core/csv";
import type { StoredDatasetFormat } from "@attune/db/dataset-kinds";
import { DATASET_MAX_BYTES } from "@attune/db/limits";

export type UploadKind = "text" | "jsonl" | "csv";

/** The file types the upload accepts, for the file input's `accept`. */
export const UPLOAD_ACCEPT = ".txt,.text,.md,.jsonl,.ndjson,.csv,text/plain,text/csv";

/** The kind of a file by its name; undefined for a type the upload does not take. */
export function uploadKind(fileName: string): UploadKind | undefined {
  const extension = fileName.toLowerCase().split(".").pop() ?? "";
  if (["txt", "text", "md"].includes(extension)) return "text";
  if (["jsonl", "ndjson"].includes(extension)) return "jsonl";
  if (extension === "csv") return "csv";
  return undefined;
}

/** "12.3 MiB", "512 KiB", "87 B". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Why a file of `bytes` bytes cannot be uploaded, or undefined when it can. */
export function sizeProblem(bytes: number): string | undefined {
  if (bytes === 0) return "The file is empty.";
  if (bytes > DATASET_MAX_BYTES) {
    return `The file is ${formatBytes(bytes)}; datasets can be at most ${formatBytes(DATASET_MAX_BYTES)}.`;
  }
  return undefined;
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** What a JSONL or CSV file's records hold. */
export type RecordKind = "samples" | "prompt-completion" | "chat";

export type UploadFormat = DatasetUploadInput["format"];

/** The format the upload reads the file in; CSV is read through its chosen columns. */
export function uploadFormat(kind: UploadKind, records: RecordKind): UploadFormat {
  if (kind === "text" || kind === "csv") return kind;
  return records === "samples" ? "jsonl" : records;
}

/** The format the dataset is stored in, which decides the tasks it can serve. */
export function storedFormat(kind: UploadKind, records: RecordKind): StoredDatasetFormat {
  if (kind === "text") return "text";
  return records === "samples" ? "jsonl" : records;
}

/** A CSV file's column names, from its header. */
export function csvHeader(text: string): string[] {
  const [header] = parseCsv(text);
  if (!header) throw new CsvError("the file is empty");
  return header.map((name) => name.trim());
}

/**
 * The columns to read first, before the user chooses: those named for their field ("text",
 * "label", "prompt", "completion", "messages", "user", "assistant", "system", in any case), else
 * the header's columns in order. Optional fields are read only from a column named for them, and
 * chats from a "messages" column of JSON arrays when there is one, else from exchange columns.
 */
export function guessColumns(header: readonly string[], records: RecordKind): CsvColumns {
  const named = (field: string) => header.find((name) => name.toLowerCase() === field);
  const unused = header.filter(
    (name) =>
      ![
        "text",
        "label",
        "prompt",
        "completion",
        "messages",
        "user",
        "assistant",
        "system",
      ].includes(name.toLowerCase()),
  );
  const pick = (field: string, position: number) =>
    named(field) ?? unused[position] ?? header[position] ?? "";
  switch (records) {
    case "samples": {
      const label = named("label");
      return { text: pick("text", 0), ...(label ? { label } : {}) };
    }
    case "prompt-completion":
      return { prompt: pick("prompt", 0), completion: pick("completion", 1) };
    case "chat": {
      const messages = named("messages");
      if (messages) return { messages };
      const system = named("system");
      return {
        user: pick("user", 0),
        assistant: pick("assistant", 1),
        ...(system ? { system } : {}),
      };
    }
  }
}

/** A dataset name from a file name: "tiny_shakespeare.txt" → "tiny_shakespeare". */
export function datasetNameFromFile(fileName: string): string {
  const base = fileName.replace(/\.[^.]+$/, "").trim();
  return (base || fileName).slice(0, 100);
}
