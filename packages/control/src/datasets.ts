import {
  builtinCorpora,
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

/** The samples of a stored text dataset, which trials train on. */
export async function readDatasetSamples(db: Executor, dataset: DatasetMeta): Promise<TextDataset> {
  const read = await readDatasetSource(await storedDatasetSource(db, dataset));
  if (!("samples" in read)) {
    throw new Error(
      `dataset "${dataset.name}" holds ${read.format} examples (task ${dataset.task}): trials train on text samples here`,
    );
  }
  return read;
}
