import { DatasetError } from "@attune/core/data";
import { describe, expect, it } from "vitest";
import {
  type AnalysisRequest,
  type AnalysisTask,
  analyseDataset,
} from "../src/dataset-analysis/analysis.ts";
import { analyseOffThread } from "../src/dataset-analysis/off-thread.ts";

const jsonl = ['{"text": "the cat sat"}', '{"text": "on the mat, all day long"}'].join("\n");

function request<Task extends AnalysisTask>(content: string, task: Task): AnalysisRequest<Task> {
  return {
    task,
    source: { bytes: new TextEncoder().encode(content), format: "jsonl" },
    tokenizer: "char",
  };
}

describe("dataset analysis in a worker thread", () => {
  it("answers what the analysis answers in line", async () => {
    const inLine = await analyseDataset(request(jsonl, "statistics"));
    expect(await analyseOffThread(request(jsonl, "statistics"))).toEqual(inLine);
    expect(inLine.format).toBe("jsonl");
    expect(await analyseOffThread(request(jsonl, "sample-token-lengths"))).toEqual([11, 24]);
  });

  it("gives content that does not parse back as a DatasetError with its line", async () => {
    const broken = `${jsonl}\n{"text": `;
    const error = await analyseOffThread(request(broken, "statistics")).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(/^line 3: /);
  });

  it("answers every request when more arrive than run at once", async () => {
    const lengths = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        analyseOffThread(request(`{"text": "${"x".repeat(n + 1)}"}`, "sample-token-lengths")),
      ),
    );
    expect(lengths).toEqual([[1], [2], [3], [4], [5]]);
  });

  it("renders instruction data: lengths of whole examples, prompt and completion apart", async () => {
    const pairs = ['{"prompt": "ab", "completion": "c"}', '{"prompt": "", "completion": "de"}'];
    // The bytes move to the thread, so each request gets its own.
    const source = () => ({
      bytes: new TextEncoder().encode(pairs.join("\n")),
      format: "prompt-completion" as const,
    });
    const statistics = () => ({
      task: "statistics" as const,
      source: source(),
      tokenizer: "char" as const,
    });
    const inLine = await analyseDataset(statistics());
    expect(await analyseOffThread(statistics())).toEqual(inLine);
    // "<|user|>\n" (9) + prompt + end-of-text + "\n<|assistant|>\n" (15), and completion + end-of-text.
    expect(inLine.statistics).toMatchObject({
      promptTokenLengths: { upperBounds: [8, 16, 32], counts: [0, 0, 2] },
      completionTokenLengths: { upperBounds: [8], counts: [2] },
    });
    expect(
      await analyseOffThread({ task: "sample-token-lengths", source: source(), tokenizer: "char" }),
    ).toEqual([27 + 2, 25 + 3]);
    expect(
      await analyseOffThread({ task: "example", source: source(), tokenizer: "char", example: 1 }),
    ).toEqual({
      line: 2,
      segments: [
        { text: "<|user|>\n<|endoftext|>\n<|assistant|>\n", trained: false, tokens: 25 },
        { text: "de<|endoftext|>", trained: true, tokens: 3 },
      ],
    });
  });
});
