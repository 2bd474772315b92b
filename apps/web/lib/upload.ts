// Preparing a dataset file in the browser for datasets.upload: its format from the name, its size
// checked before it is read or sent, and CSV turned into the JSONL the API takes.
import { CsvError, parseCsv } from "@attune/core/csv";
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

/**
 * A CSV file with a header row as JSONL: its "text" column (or its only column) as each sample's
 * text, and its "label" column, when there is one, as the label. Blank rows are skipped.
 */
export function csvToJsonl(text: string): { jsonl: string; samples: number; labelled: boolean } {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new CsvError("the file is empty");
  const names = header.map((name) => name.trim().toLowerCase());
  let textColumn = names.indexOf("text");
  if (textColumn === -1 && names.length === 1) textColumn = 0;
  if (textColumn === -1) {
    throw new CsvError(
      `no "text" column: the header has ${header.map((name) => JSON.stringify(name)).join(", ")}`,
    );
  }
  const labelColumn = names.indexOf("label");
  const lines: string[] = [];
  rows.forEach((row, index) => {
    if (row.every((field) => field.trim() === "")) return;
    const rowNumber = index + 2;
    const sample = row[textColumn] ?? "";
    if (sample === "") throw new CsvError(`row ${rowNumber}: the text is empty`);
    if (labelColumn === -1) {
      lines.push(JSON.stringify({ text: sample }));
      return;
    }
    const label = (row[labelColumn] ?? "").trim();
    if (label === "") throw new CsvError(`row ${rowNumber}: the label is empty`);
    lines.push(JSON.stringify({ text: sample, label }));
  });
  if (lines.length === 0) throw new CsvError("the file has a header but no rows");
  return { jsonl: lines.join("\n"), samples: lines.length, labelled: labelColumn !== -1 };
}

/** A dataset name from a file name: "tiny_shakespeare.txt" → "tiny_shakespeare". */
export function datasetNameFromFile(fileName: string): string {
  const base = fileName.replace(/\.[^.]+$/, "").trim();
  return (base || fileName).slice(0, 100);
}
