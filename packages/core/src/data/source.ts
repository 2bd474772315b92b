import {
  type BuiltinCorpusName,
  type InstructionCorpusName,
  instructionCorpora,
  loadCorpus,
  loadInstructionCorpus,
} from "./corpora.ts";
import { type CsvColumns, type Dataset, type DatasetFormat, parseDataset } from "./text-dataset.ts";

/**
 * Where a dataset comes from: uploaded bytes in their format (a CSV file with the columns to read),
 * or a built-in corpus, text or instruction data.
 */
export type DatasetSource =
  | { bytes: Uint8Array; format: Exclude<DatasetFormat, "csv">; maxBytes?: number }
  | { bytes: Uint8Array; format: "csv"; columns: CsvColumns; maxBytes?: number }
  | { corpus: BuiltinCorpusName | InstructionCorpusName };

export async function readDatasetSource(source: DatasetSource): Promise<Dataset> {
  if ("corpus" in source) {
    const { corpus } = source;
    return isInstructionCorpus(corpus) ? loadInstructionCorpus(corpus) : loadCorpus(corpus);
  }
  return parseDataset(source.bytes, source);
}

function isInstructionCorpus(name: string): name is InstructionCorpusName {
  return instructionCorpora.some((corpus) => corpus.name === name);
}
