/**
 * A parsed dataset written back as the JSONL its format reads, one example per line: how a CSV
 * upload is stored once its chosen columns are read.
 */
import type { Dataset } from "./text-dataset.ts";

export type JsonlFormat = "jsonl" | "prompt-completion" | "chat";

/** Text datasets become "jsonl" samples (a plain text document is one sample). */
export function datasetAsJsonl(dataset: Dataset): { format: JsonlFormat; content: string } {
  switch (dataset.format) {
    case "text":
    case "jsonl":
      return { format: "jsonl", content: lines(dataset.samples) };
    case "prompt-completion":
      return {
        format: "prompt-completion",
        content: lines(dataset.examples.map(({ prompt, completion }) => ({ prompt, completion }))),
      };
    case "chat":
      return {
        format: "chat",
        content: lines(dataset.examples.map(({ messages }) => ({ messages }))),
      };
  }
}

function lines(values: readonly object[]): string {
  return values.map((value) => JSON.stringify(value)).join("\n");
}
