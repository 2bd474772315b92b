/**
 * RFC 4180 CSV: fields separated by commas, quoted with "", quotes doubled inside quotes, records
 * ended by LF or CRLF. Browser-safe: the web app reads uploads with it too.
 */
import { DatasetError } from "./dataset-error.ts";

/** A DatasetError, so that parsing a dataset reports a CSV problem like any other. */
export class CsvError extends DatasetError {
  constructor(message: string, line?: number) {
    super(message, line);
    this.name = "CsvError";
  }
}

/** A record's fields and the 1-based line it starts on (a quoted field can span lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((record) => record.fields);
}

export function parseCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    records.push({ fields, line: recordLine });
    fields = [];
    field = "";
  };
  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (char === "\n") line++;
        field += char;
      }
    } else if (char === '"') {
      if (field !== "") throw new CsvError("a quote inside an unquoted field", line);
      quoted = true;
      quoteLine = line;
    } else if (char === ",") {
      fields.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new CsvError("the file ends inside the quoted field opened here", quoteLine);
  if (field !== "" || fields.length > 0) endRecord();
  return records;
}
