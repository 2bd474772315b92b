// What the API needs to know about a dataset's content: that it parses, its statistics under a
// tokenizer, and every sample's length in tokens. Seconds of work for tens of MiB (every character
// is tokenized), so the API runs it in a worker thread (see off-thread.ts).
import {
  type DatasetSource,
  datasetStatistics,
  datasetTokenizer,
  readDatasetSource,
  type TextDataset,
  type Tokenizer,
  type TokenizerKind,
} from "@attune/core/data";

/** What can be asked of a dataset, each a function of its samples under the tokenizer. */
export const analysisTasks = {
  /** The format too: a built-in corpus's is known only once it is loaded. */
  statistics: (dataset: TextDataset, tokenizer: Tokenizer) => ({
    format: dataset.format,
    statistics: datasetStatistics(dataset, tokenizer),
  }),
  "sample-token-lengths": (dataset: TextDataset, tokenizer: Tokenizer): number[] =>
    dataset.samples.map((sample) => tokenizer.encode(sample.text).length),
} satisfies Record<string, (dataset: TextDataset, tokenizer: Tokenizer) => unknown>;

export type AnalysisTask = keyof typeof analysisTasks;
export type AnalysisResult<Task extends AnalysisTask> = ReturnType<(typeof analysisTasks)[Task]>;

export interface AnalysisRequest<Task extends AnalysisTask = AnalysisTask> {
  task: Task;
  source: DatasetSource;
  tokenizer: TokenizerKind;
}

export async function analyseDataset<Task extends AnalysisTask>(
  request: AnalysisRequest<Task>,
): Promise<AnalysisResult<Task>> {
  const dataset = await readDatasetSource(request.source);
  const task = analysisTasks[request.task];
  return task(dataset, datasetTokenizer(request.tokenizer, dataset)) as AnalysisResult<Task>;
}
