import { describe, expect, it } from "vitest";
import { CsvError, parseCsv, parseCsvRecords } from "../../src/data/csv.ts";
import { DatasetError } from "../../src/data/dataset-error.ts";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and newlines", () => {
    expect(parseCsv('text,label\r\n"a, ""b""\nc",x\nplain,y\n')).toEqual([
      ["text", "label"],
      ['a, "b"\nc', "x"],
      ["plain", "y"],
    ]);
  });

  it("skips a byte order mark and keeps a last line without a newline", () => {
    expect(parseCsv("\uFEFFtext\nlast")).toEqual([["text"], ["last"]]);
  });

  it("gives each record the line it starts on", () => {
    expect(parseCsvRecords('a\n"two\nlines"\nb\r\nc').map((record) => record.line)).toEqual([
      1, 2, 4, 5,
    ]);
  });

  it("refuses an unterminated quote or a stray one, naming the line, as a DatasetError", () => {
    expect(() => parseCsv('text\nok\n"open\nmore')).toThrow(
      "line 3: the file ends inside the quoted field opened here",
    );
    const stray = (() => {
      try {
        parseCsv('text\nsay "hi"');
      } catch (error) {
        return error;
      }
    })();
    expect(stray).toBeInstanceOf(CsvError);
    expect(stray).toBeInstanceOf(DatasetError);
    expect(stray).toMatchObject({ line: 2, message: "line 2: a quote inside an unquoted field" });
  });
});
