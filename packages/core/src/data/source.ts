import { type BuiltinCorpusName, loadCorpus } from "./corpora.ts";
import { parseDataset, type TextDataset, type TextDatasetFormat } from "./text-dataset.ts";

/** Where a dataset's samples come from: uploaded bytes in their format, or a built-in corpus. */
export type DatasetSource =
  | { bytes: Uint8Array; format: TextDatasetFormat; maxBytes?: number }
  | { corpus: BuiltinCorpusName };

export async function readDatasetSource(source: DatasetSource): Promise<TextDataset> {
  if ("corpus" in source) return loadCorpus(source.corpus);
  const { bytes, format, maxBytes } = source;
  return parseDataset(bytes, { format, maxBytes });
}
