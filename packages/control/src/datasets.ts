import { builtinCorpora, loadCorpus, parseDataset, type TextDataset } from "@attune/core/data";
import { type DatasetMeta, type Executor, getDatasetContent } from "@attune/db";

/**
 * The samples of a stored dataset. Built-in corpora are not copied into the database (they ship
 * with the code, and the largest is over the size limit once written as JSONL): their row names
 * the corpus in `origin` and keeps empty content.
 */
export async function readDatasetSamples(db: Executor, dataset: DatasetMeta): Promise<TextDataset> {
  if (dataset.source === "builtin") {
    const corpus = builtinCorpora.find((candidate) => candidate.name === dataset.origin);
    if (!corpus)
      throw new Error(`dataset ${dataset.id} names an unknown corpus "${dataset.origin}"`);
    return loadCorpus(corpus.name);
  }
  const text = await getDatasetContent(db, dataset.id);
  if (text === undefined) throw new Error(`dataset ${dataset.id} has no content`);
  return parseDataset(new TextEncoder().encode(text), { format: dataset.format });
}
