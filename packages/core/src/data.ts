// Public entry point `@attune/core/data` (Node): the built-in corpora, uploaded datasets, their
// statistics and the tokenizers.
export { type BuiltinCorpusName, builtinCorpora, loadCorpus } from "./data/corpora.ts";
export { type DatasetSource, readDatasetSource } from "./data/source.ts";
export { datasetStatistics, percentile } from "./data/statistics.ts";
export {
  DatasetError,
  type DatasetFormat,
  parseDataset,
  type TextDataset,
} from "./data/text-dataset.ts";
export {
  createTokenizer,
  type Tokenizer,
  type TokenizerKind,
  tokenizerFromJSON,
} from "./data/tokenizers.ts";
