import { describe, expect, it } from "vitest";
import { DatasetError, parseDataset } from "../../src/data/text-dataset.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "string" ? [...utf8(part)] : part)));

/** The DatasetError that parsing throws, so that both its message and line can be checked. */
function parseError(bytes: Uint8Array, format: "text" | "jsonl", maxBytes?: number): DatasetError {
  try {
    parseDataset(bytes, maxBytes === undefined ? { format } : { format, maxBytes });
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error("expected parseDataset to throw");
}

describe("parseDataset", () => {
  it("keeps plain text exactly as one sample, dropping only a byte order mark", () => {
    const text = "First line\r\nSecond line 😀\n";
    expect(parseDataset(concat([0xef, 0xbb, 0xbf], text), { format: "text" })).toEqual({
      format: "text",
      samples: [{ text }],
    });
  });

  it("reads JSONL with labels, skipping blank lines and accepting CRLF", () => {
    const jsonl = '{"text": "good film", "label": "pos"}\r\n\n{"text": "dull", "label": 0}\r\n';
    expect(parseDataset(utf8(jsonl), { format: "jsonl" })).toEqual({
      format: "jsonl",
      samples: [
        { text: "good film", label: "pos" },
        { text: "dull", label: "0" },
      ],
      labels: ["0", "pos"],
    });
    const unlabelled = parseDataset(utf8('{"text": "a"}\n{"text": "b"}'), { format: "jsonl" });
    expect(unlabelled).toEqual({ format: "jsonl", samples: [{ text: "a" }, { text: "b" }] });
  });

  it("reports invalid UTF-8 with its byte offset and line", () => {
    const error = parseError(concat("ok\nline two\nbad ", [0xff], " rest"), "text");
    expect(error.message).toBe("line 3: invalid UTF-8 at byte offset 16");
    expect(error.line).toBe(3);
    // An overlong encoding of "/" after a valid U+FFFD (3 bytes) and a byte order mark (3 bytes).
    const afterReplacement = parseError(
      concat([0xef, 0xbb, 0xbf], "\uFFFD\n", [0xc0, 0xaf]),
      "jsonl",
    );
    expect(afterReplacement.message).toBe("line 2: invalid UTF-8 at byte offset 7");
  });

  it("rejects empty input", () => {
    expect(parseError(new Uint8Array(), "text").message).toBe("the dataset is empty");
    expect(parseError(utf8(" \n\r\n"), "jsonl").message).toBe("the dataset is empty");
  });

  it("rejects oversize input before decoding it", () => {
    const error = parseError(concat("0123456789", [0xff]), "text", 10);
    expect(error.message).toBe("the dataset is 11 bytes, over the limit of 10");
    expect(error.line).toBeUndefined();
  });

  it("names the JSONL line that is not JSON, not an object, or has no usable text or label", () => {
    const good = '{"text": "fine"}';
    const cases: [string, string][] = [
      ["{text: 'single quotes'}", "line 3: not valid JSON"],
      ['["text"]', "line 3: expected a JSON object"],
      ['{"label": "spam"}', 'line 3: expected a string "text" field, got none'],
      ['{"text": 42}', 'line 3: expected a string "text" field, got number'],
      ['{"text": ""}', 'line 3: "text" is empty'],
      ['{"text": "x", "label": true}', 'line 3: "label" must be a string or a number, got true'],
    ];
    for (const [badLine, message] of cases) {
      const error = parseError(utf8(`${good}\n${good}\n${badLine}\n${good}`), "jsonl");
      expect(error.message).toContain(message);
      expect(error.line).toBe(3);
    }
  });

  it("requires a label on every line or on none", () => {
    const jsonl = '{"text": "a", "label": "x"}\n{"text": "b", "label": "y"}\n{"text": "c"}';
    const error = parseError(utf8(jsonl), "jsonl");
    expect(error.message).toBe(
      'line 3: has no "label" but line 1 has one: label every line or none',
    );
  });
});
