/**
 * User datasets: plain UTF-8 text (one document), or JSONL with one `{"text", "label"?}` object per
 * line. Parsing starts from the uploaded bytes so that every problem can be reported with the line
 * (and, for bad UTF-8, the byte offset) where it is.
 */

export type DatasetFormat = "text" | "jsonl";

export interface Sample {
  text: string;
  /** The class name for classification; numeric labels in JSONL become their decimal string. */
  label?: string;
}

export interface TextDataset {
  format: DatasetFormat;
  samples: Sample[];
  /** The distinct labels, sorted, when the samples are labelled; a label's index is its class id. */
  labels?: string[];
}

/** The same limit as the database's dataset content. */
export const DEFAULT_MAX_DATASET_BYTES = 32 * 1024 * 1024;

export class DatasetError extends Error {
  /** The 1-based line the problem is on, when it is on one. */
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "DatasetError";
    this.line = line;
  }
}

export function parseDataset(
  bytes: Uint8Array,
  options: { format: DatasetFormat; maxBytes?: number },
): TextDataset {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DATASET_BYTES;
  if (bytes.length > maxBytes) {
    throw new DatasetError(`the dataset is ${bytes.length} bytes, over the limit of ${maxBytes}`);
  }
  const text = decodeUtf8(bytes);
  if (text.trim() === "") throw new DatasetError("the dataset is empty");
  return options.format === "text" ? { format: "text", samples: [{ text }] } : parseJsonl(text);
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

function parseJsonl(text: string): TextDataset {
  const samples: Sample[] = [];
  let firstUnlabelledLine: number | undefined;
  let firstLabelledLine: number | undefined;
  text.split("\n").forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (content.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      throw new DatasetError(`not valid JSON (${(error as Error).message})`, line);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new DatasetError('expected a JSON object like {"text": "...", "label": "..."}', line);
    }
    const { text: sampleText, label } = value as Record<string, unknown>;
    if (typeof sampleText !== "string") {
      throw new DatasetError(
        `expected a string "text" field, got ${sampleText === undefined ? "none" : typeof sampleText}`,
        line,
      );
    }
    if (sampleText === "") throw new DatasetError('"text" is empty', line);
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
  });
  if (firstLabelledLine === undefined) return { format: "jsonl", samples };
  const labels = [...new Set(samples.map((sample) => sample.label as string))].sort();
  return { format: "jsonl", samples, labels };
}
