import {
  builtinCorpora,
  type Dataset,
  type DatasetSource,
  instructionCorpora,
  readDatasetSource,
  type TextDataset,
} from "@attune/core/data";
import { type DatasetMeta, type Executor, getDatasetContent } from "@attune/db";

/**
 * Where a stored dataset's samples are. Built-in corpora are not copied into the database (they
 * ship with the code, and the largest is over the size limit once written as JSONL): their row
 * names the corpus in `origin` and keeps empty content.
 */
export async function storedDatasetSource(
  db: Executor,
  dataset: DatasetMeta,
): Promise<DatasetSource> {
  if (dataset.source === "builtin") {
    const corpus = [...builtinCorpora, ...instructionCorpora].find(
      (candidate) => candidate.name === dataset.origin,
    );
    if (!corpus)
      throw new Error(`dataset ${dataset.id} names an unknown corpus "${dataset.origin}"`);
    return { corpus: corpus.name };
  }
  const text = await getDatasetContent(db, dataset.id);
  if (text === undefined) throw new Error(`dataset ${dataset.id} has no content`);
  return { bytes: new TextEncoder().encode(text), format: dataset.format };
}

/** A stored dataset, parsed: text samples, or instruction and dialogue examples. */
export async function readStoredDataset(db: Executor, dataset: DatasetMeta): Promise<Dataset> {
  return readDatasetSource(await storedDatasetSource(db, dataset));
}

/** The samples of a stored text dataset, which strategies (the range tests) read. */
export async function readDatasetSamples(db: Executor, dataset: DatasetMeta): Promise<TextDataset> {
  const read = await readStoredDataset(db, dataset);
  if (!("samples" in read)) {
    throw new Error(
      `dataset "${dataset.name}" holds ${read.format} examples (task ${dataset.task}): strategies read text samples only`,
    );
  }
  return read;
}
