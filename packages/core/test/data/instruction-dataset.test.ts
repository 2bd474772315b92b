import { describe, expect, it } from "vitest";
import { DatasetError, type ParseOptions, parseDataset } from "../../src/data/text-dataset.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const lines = (...values: unknown[]) => values.map((value) => JSON.stringify(value)).join("\n");

/** The DatasetError that parsing throws, so that both its message and line can be checked. */
function parseError(text: string, options: ParseOptions): DatasetError {
  try {
    parseDataset(utf8(text), options);
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error("expected parseDataset to throw");
}

describe("prompt/completion JSONL", () => {
  it("reads pairs with their lines, skipping blank lines and ignoring other fields", () => {
    const text = `${lines({ prompt: "2+2=", completion: "4", id: 7 })}\r\n\n${lines({ prompt: "", completion: "free" })}`;
    expect(parseDataset(utf8(text), { format: "prompt-completion" })).toEqual({
      format: "prompt-completion",
      examples: [
        { line: 1, prompt: "2+2=", completion: "4" },
        { line: 3, prompt: "", completion: "free" },
      ],
    });
  });

  it.each([
    [{ prompt: "a" }, 'line 2: expected a string "completion" field, got none'],
    [{ completion: "a" }, 'line 2: expected a string "prompt" field, got none'],
    [{ prompt: "a", completion: 4 }, 'line 2: expected a string "completion" field, got number'],
    [{ prompt: ["a"], completion: "b" }, 'line 2: expected a string "prompt" field, got array'],
    [{ prompt: "a", completion: null }, 'line 2: expected a string "completion" field, got null'],
    [{ prompt: "a", completion: "" }, 'line 2: "completion" is empty'],
    ["just text", 'line 2: expected a JSON object like {"prompt": "...", "completion": "..."}'],
  ])("refuses %j, naming the line", (bad, message) => {
    const error = parseError(lines({ prompt: "ok", completion: "ok" }, bad), {
      format: "prompt-completion",
    });
    expect(error.message).toBe(message);
    expect(error.line).toBe(2);
  });

  it("refuses a line that is not JSON", () => {
    expect(
      parseError('{"prompt": "a", "completion": "b"}\n{"prompt": ', { format: "prompt-completion" })
        .message,
    ).toMatch(/^line 2: not valid JSON/);
  });
});

describe("chat JSONL", () => {
  const conversation = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello." },
    { role: "user", content: "Bye" },
    { role: "assistant", content: "Bye." },
  ];

  it("reads conversations with their lines", () => {
    const text = lines({ messages: conversation }, { messages: conversation.slice(1, 3) });
    expect(parseDataset(utf8(text), { format: "chat" })).toEqual({
      format: "chat",
      examples: [
        { line: 1, messages: conversation },
        { line: 2, messages: conversation.slice(1, 3) },
      ],
    });
  });

  it.each([
    [{ messages: [] }, '"messages" is empty: a conversation needs at least one message'],
    [{ prompt: "a", completion: "b" }, 'expected a "messages" array like'],
    [
      { messages: "hi" },
      'expected a "messages" array like {"messages": [{"role": "user", "content": "..."}, ...]}, got string',
    ],
    [
      {
        messages: [
          { role: "user", content: "a" },
          { role: "tool", content: "b" },
        ],
      },
      'message 2: role "tool" is not one of system, user, assistant',
    ],
    [{ messages: [{ content: "a" }] }, "message 1: role undefined is not one of"],
    [
      { messages: ["hi"] },
      'message 1: expected an object like {"role": "user", "content": "..."}, got "hi"',
    ],
    [
      {
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: 5 },
        ],
      },
      'message 2 (assistant): expected a string "content", got number',
    ],
    [
      { messages: [{ role: "user", content: "a" }] },
      "the conversation has no assistant message to train on",
    ],
    [
      {
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: "" },
        ],
      },
      "message 2 (assistant): the content is empty",
    ],
  ])("refuses %j, naming the line", (bad, message) => {
    const error = parseError(lines({ messages: conversation }, bad), { format: "chat" });
    expect(error.message.startsWith(`line 2: ${message}`)).toBe(true);
    expect(error.line).toBe(2);
  });
});

describe("CSV with chosen columns", () => {
  it("reads text samples and labels from the chosen columns, as JSONL samples", () => {
    const csv = 'id,review,stars\n1,"good, really",5\n2,dull,1\n,,\n';
    expect(
      parseDataset(utf8(csv), { format: "csv", columns: { text: "review", label: "stars" } }),
    ).toEqual({
      format: "jsonl",
      samples: [
        { text: "good, really", label: "5" },
        { text: "dull", label: "1" },
      ],
      labels: ["1", "5"],
    });
  });

  it("reads prompt/completion pairs, with the line each row starts on", () => {
    const csv = 'question,answer\n"two\nlines",yes\nq2,a2\n';
    expect(
      parseDataset(utf8(csv), {
        format: "csv",
        columns: { prompt: "question", completion: "answer" },
      }),
    ).toEqual({
      format: "prompt-completion",
      examples: [
        { line: 2, prompt: "two\nlines", completion: "yes" },
        { line: 4, prompt: "q2", completion: "a2" },
      ],
    });
  });

  it("reads a column of JSON message arrays as whole conversations, naming the row's line", () => {
    const messages = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello, line one\nand two." },
    ];
    const cell = (value: string) => `"${value.replaceAll('"', '""')}"`;
    const csv = `id,chat\n1,${cell(JSON.stringify(messages, null, 1))}\n2,${cell("[]")}\n`;
    const read = (text: string) =>
      parseDataset(utf8(text), { format: "csv", columns: { messages: "chat" } });
    // The first row's quoted cell spans lines 2 to 11: the second row starts on line 12.
    expect(() => read(csv)).toThrow(
      new DatasetError('"messages" is empty: a conversation needs at least one message', 12),
    );
    expect(read(csv.split("\n2,")[0] as string)).toEqual({
      format: "chat",
      examples: [{ line: 2, messages }],
    });
    expect(() => read("chat\n[{role: user}]\n")).toThrow(
      /^line 2: the "messages" cell is not valid JSON/,
    );
  });

  it("reads one exchange per row as a conversation; an empty system cell is no message", () => {
    const csv = "sys,q,a\nBe brief.,Hi,Hello.\n,Bye,Bye.\n";
    const dataset = parseDataset(utf8(csv), {
      format: "csv",
      columns: { system: "sys", user: "q", assistant: "a" },
    });
    expect(dataset).toEqual({
      format: "chat",
      examples: [
        {
          line: 2,
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello." },
          ],
        },
        {
          line: 3,
          messages: [
            { role: "user", content: "Bye" },
            { role: "assistant", content: "Bye." },
          ],
        },
      ],
    });
  });

  it.each([
    [
      "q,a\nx,y\n",
      { prompt: "question", completion: "a" },
      'line 1: no column "question" (for prompt): the header has "q", "a"',
    ],
    ["q,a\nx,\n", { prompt: "q", completion: "a" }, 'line 2: "completion" is empty'],
    ["q,a\nx,y,z\n", { prompt: "q", completion: "a" }, "line 2: has 3 fields but the header has 2"],
    ["q,a\n", { prompt: "q", completion: "a" }, "the CSV file has a header but no rows"],
    [
      "u,a\nhi,\n",
      { user: "u", assistant: "a" },
      "line 2: message 2 (assistant): the content is empty",
    ],
    ['t\nok\n"open', { text: "t" }, "line 3: the file ends inside the quoted field opened here"],
    ["t,l\na,x\nb,\n", { text: "t", label: "l" }, 'line 3: has no "label" but line 2 has one'],
  ] as const)("refuses %j with columns %j", (csv, columns, message) => {
    expect(parseError(csv, { format: "csv", columns }).message).toMatch(
      new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
  });
});
