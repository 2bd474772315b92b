/**
 * User datasets. Text data: plain UTF-8 text (one document), or samples `{"text", "label"?}` from
 * JSONL or CSV columns. Instruction data (see instruction-dataset.ts): prompt/completion pairs or
 * chat conversations, from JSONL or CSV columns. Parsing starts from the uploaded bytes so that every
 * problem can be reported with the line (and, for bad UTF-8, the byte offset) where it is.
 */
import { DatasetError } from "./dataset-error.ts";
import {
  CHAT_EXAMPLE,
  type ChatColumns,
  conversation,
  conversationFromJsonCell,
  exchange,
  type InstructionDataset,
  type InstructionDatasetFormat,
  PROMPT_COMPLETION_EXAMPLE,
  type PromptCompletionColumns,
  promptCompletion,
} from "./instruction-dataset.ts";
import { csvRecords, type DatasetRecord, jsonlRecords, stringField } from "./records.ts";

export { DatasetError };

/** How text data is stored: a CSV upload becomes JSONL samples, as the web app stores it. */
export type TextDatasetFormat = "text" | "jsonl";

/** JSONL is "jsonl" (text samples), "prompt-completion" or "chat"; CSV says what by its columns. */
export type DatasetFormat = TextDatasetFormat | InstructionDatasetFormat | "csv";

export interface Sample {
  text: string;
  /** The class name for classification; numeric labels in JSONL become their decimal string. */
  label?: string;
}

export interface TextDataset {
  format: TextDatasetFormat;
  samples: Sample[];
  /** The distinct labels, sorted, when the samples are labelled; a label's index is its class id. */
  labels?: string[];
}

export type Dataset = TextDataset | InstructionDataset;

/** The CSV columns to read, by the kind of data: a text column and maybe a label, or see these. */
export type CsvColumns = { text: string; label?: string } | PromptCompletionColumns | ChatColumns;

export type ParseOptions = { maxBytes?: number } & (
  | { format: Exclude<DatasetFormat, "csv"> }
  | { format: "csv"; columns: CsvColumns }
);

/** The same limit as the database's dataset content. */
export const DEFAULT_MAX_DATASET_BYTES = 32 * 1024 * 1024;

export function parseDataset(
  bytes: Uint8Array,
  options: { format: TextDatasetFormat; maxBytes?: number },
): TextDataset;
export function parseDataset(
  bytes: Uint8Array,
  options: { format: InstructionDatasetFormat; maxBytes?: number },
): InstructionDataset;
export function parseDataset(bytes: Uint8Array, options: ParseOptions): Dataset;
export function parseDataset(bytes: Uint8Array, options: ParseOptions): Dataset {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DATASET_BYTES;
  if (bytes.length > maxBytes) {
    throw new DatasetError(`the dataset is ${bytes.length} bytes, over the limit of ${maxBytes}`);
  }
  const text = decodeUtf8(bytes);
  if (text.trim() === "") throw new DatasetError("the dataset is empty");
  switch (options.format) {
    case "text":
      return { format: "text", samples: [{ text }] };
    case "jsonl":
      return textSamples(jsonlRecords(text, '{"text": "...", "label": "..."}'));
    case "prompt-completion":
      return promptCompletions(jsonlRecords(text, PROMPT_COMPLETION_EXAMPLE));
    case "chat":
      return { format: "chat", examples: jsonlRecords(text, CHAT_EXAMPLE).map(conversation) };
    case "csv":
      return parseCsvDataset(text, options.columns);
  }
}

function parseCsvDataset(text: string, columns: CsvColumns): Dataset {
  if ("text" in columns) return textSamples(csvRecords(text, columns, ["label"]));
  if ("prompt" in columns) return promptCompletions(csvRecords(text, columns));
  if ("messages" in columns) {
    return { format: "chat", examples: csvRecords(text, columns).map(conversationFromJsonCell) };
  }
  return { format: "chat", examples: csvRecords(text, columns, ["system"]).map(exchange) };
}

function promptCompletions(records: DatasetRecord[]): InstructionDataset {
  return { format: "prompt-completion", examples: records.map(promptCompletion) };
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // Strips a leading byte order mark, as editors on Windows write one.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1;
    throw new DatasetError(`invalid UTF-8 at byte offset ${offset}`, line);
  }
}

/**
 * Where the first invalid UTF-8 sequence starts. A lossy decode puts U+FFFD for each invalid
 * sequence; the UTF-8 length of the text before it is its byte offset, unless the input itself
 * holds a (valid) U+FFFD there.
 */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const lossy = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const encoder = new TextEncoder();
  let offset = 0;
  let counted = 0;
  for (let i = lossy.indexOf("\uFFFD"); i !== -1; i = lossy.indexOf("\uFFFD", i + 1)) {
    offset += encoder.encode(lossy.slice(counted, i)).length;
    counted = i;
    const isLiteral =
      bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd;
    if (!isLiteral) return offset;
  }
  throw new Error("firstInvalidUtf8Offset called on valid UTF-8");
}

/** Samples, labelled all or none, from JSONL objects or CSV rows. */
function textSamples(records: DatasetRecord[]): TextDataset {
  const samples: Sample[] = [];
  let firstUnlabelledLine: number | undefined;
  let firstLabelledLine: number | undefined;
  for (const record of records) {
    const { line } = record;
    const sampleText = stringField(record, "text");
    if (sampleText === "") throw new DatasetError('"text" is empty', line);
    const { label } = record.fields;
    if (label === undefined) {
      firstUnlabelledLine ??= line;
      samples.push({ text: sampleText });
    } else if (typeof label === "string" || (typeof label === "number" && Number.isFinite(label))) {
      firstLabelledLine ??= line;
      samples.push({ text: sampleText, label: String(label) });
    } else {
      throw new DatasetError(
        `"label" must be a string or a number, got ${JSON.stringify(label)}`,
        line,
      );
    }
    if (firstLabelledLine !== undefined && firstUnlabelledLine !== undefined) {
      throw new DatasetError(
        `has no "label" but line ${firstLabelledLine} has one: label every line or none`,
        firstUnlabelledLine,
      );
    }
  }
  if (firstLabelledLine === undefined) return { format: "jsonl", samples };
  const labels = [...new Set(samples.map((sample) => sample.label as string))].sort();
  return { format: "jsonl", samples, labels };
}
