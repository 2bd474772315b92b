/** A problem with a dataset's content, naming the line it is on when it is on one. */
export class DatasetError extends Error {
  /** The 1-based line the problem is on, when it is on one. */
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "DatasetError";
    this.line = line;
  }
}
