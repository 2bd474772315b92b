// How commands print: for people, or JSON with --json; tables, CSV, and a status line that waiting
// commands redraw.

export class Output {
  constructor(readonly json: boolean) {}

  /** Prints `result` as JSON with --json, else as `human` words it. */
  emit<T>(result: T, human: (result: T) => string): void {
    console.log(this.json ? JSON.stringify(result) : human(result));
  }
}

/**
 * Rows of columns padded to line up (a header, if any, is the first row); the last column is left
 * as long as it is.
 */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join("  "),
    )
    .join("\n");
}

/** A moment to the minute, in UTC, as people read it: "2026-03-01 14:05 UTC". */
export function timestamp(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "-";
}

/** RFC 4180: a field with a comma, quote or line break is quoted, and its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A header and rows as CSV, with CRLF line ends as RFC 4180 and spreadsheets expect. */
export function csv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}

export function progressBar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/**
 * A line redrawn in place on a terminal. Elsewhere (a file, a pipe) each update is a line of its
 * own, since a carriage return would pile every update onto one line.
 */
export class StatusLine {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(text: string): void {
    // \x1b[K clears what a longer earlier line left to the right.
    this.stream.write(this.stream.isTTY ? `\r${text}\x1b[K` : `${text}\n`);
  }

  /** Moves past the redrawn line, so that what follows starts on a line of its own. */
  end(): void {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}
