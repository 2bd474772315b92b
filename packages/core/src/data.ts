// Public entry point `@attune/core/data` (Node): the built-in corpora, uploaded datasets, their
// statistics and the tokenizers (a model's own among them, read from and written to its folder);
// instruction data's chat templates and loss-masked encoding.
export {
  type ChatTemplate,
  chatTemplateFromTokenizerConfig,
  chatTemplateProblem,
  PLAIN_CHAT_TEMPLATE,
  type RenderedExample,
  renderExamples,
} from "./data/chat-template.ts";
export {
  type BuiltinCorpusName,
  builtinCorpora,
  type InstructionCorpus,
  type InstructionCorpusName,
  instructionCorpora,
  loadCorpus,
  loadInstructionCorpus,
} from "./data/corpora.ts";
export { HfTokenizer } from "./data/hf-tokenizer.ts";
export type {
  ChatColumns,
  InstructionDataset,
  InstructionExample,
  PromptCompletionColumns,
} from "./data/instruction-dataset.ts";
export { chatRoles } from "./data/instruction-dataset.ts";
export {
  type EncodedExample,
  type EncodingOptions,
  encodeInstructionExamples,
  renderedCorpus,
} from "./data/instruction-encoding.ts";
export { datasetAsJsonl, type JsonlFormat } from "./data/jsonl.ts";
export {
  MODEL_TOKENIZER_FILES,
  modelChatTemplate,
  readModelTokenizer,
  tokenizerFolderFiles,
} from "./data/model-tokenizer.ts";
export { type DatasetSource, readDatasetSource } from "./data/source.ts";
export { datasetStatistics, instructionStatistics, percentile } from "./data/statistics.ts";
export {
  type CsvColumns,
  type Dataset,
  DatasetError,
  type DatasetFormat,
  parseDataset,
  type TextDataset,
} from "./data/text-dataset.ts";
export {
  createTokenizer,
  datasetTokenizer,
  type Tokenizer,
  type TokenizerKind,
  tokenizerFromJSON,
} from "./data/tokenizers.ts";
