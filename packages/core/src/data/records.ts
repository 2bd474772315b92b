/**
 * Dataset files as records: JSONL objects, or CSV rows under a header whose chosen columns are
 * renamed to the fields the formats read. Each record keeps the line it starts on, so that every
 * problem found later can name it.
 */
import { parseCsvRecords } from "./csv.ts";
import { DatasetError } from "./dataset-error.ts";

export interface DatasetRecord {
  line: number;
  fields: Record<string, unknown>;
}

/** One JSON object per non-blank line; `example` shows the expected object in errors. */
export function jsonlRecords(text: string, example: string): DatasetRecord[] {
  const records: DatasetRecord[] = [];
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
      throw new DatasetError(`expected a JSON object like ${example}`, line);
    }
    records.push({ line, fields: value as Record<string, unknown> });
  });
  return records;
}

/**
 * The rows of a CSV file with a header, as records whose fields are named by `columns`' keys: with
 * { prompt: "question" }, the "question" column is read as the field "prompt". Columns whose key
 * an unchosen (undefined) column is no field, and so is an empty cell in an `optional` one (as a
 * missing key in JSONL). Blank rows are skipped.
 */
export function csvRecords(
  text: string,
  columns: Record<string, string | undefined>,
  optional: readonly string[] = [],
): DatasetRecord[] {
  const [header, ...rows] = parseCsvRecords(text);
  if (header === undefined) throw new DatasetError("the CSV file is empty");
  const names = header.fields.map((name) => name.trim());
  const chosen = Object.entries(columns).flatMap(([field, column]) => {
    if (column === undefined) return [];
    const index = names.indexOf(column);
    if (index === -1) {
      throw new DatasetError(
        `no column "${column}" (for ${field}): the header has ${names.map((name) => JSON.stringify(name)).join(", ")}`,
        header.line,
      );
    }
    return [{ field, index }];
  });
  const records = rows.flatMap(({ fields, line }) => {
    if (fields.every((value) => value.trim() === "")) return [];
    if (fields.length !== names.length) {
      throw new DatasetError(
        `has ${fields.length} fields but the header has ${names.length}`,
        line,
      );
    }
    const record = Object.fromEntries(
      chosen
        .map(({ field, index }) => [field, fields[index] as string])
        .filter(([field, value]) => !(value === "" && optional.includes(field as string))),
    );
    return [{ line, fields: record }];
  });
  if (records.length === 0) throw new DatasetError("the CSV file has a header but no rows");
  return records;
}

/** The string field `name`, or an error saying what is there instead. */
export function stringField(record: DatasetRecord, name: string): string {
  const value = record.fields[name];
  if (typeof value !== "string") {
    throw new DatasetError(`expected a string "${name}" field, got ${kindOf(value)}`, record.line);
  }
  return value;
}

/** What a JSON value is, for errors: "none" when absent. */
export function kindOf(value: unknown): string {
  if (value === undefined) return "none";
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}
