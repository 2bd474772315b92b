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
});
