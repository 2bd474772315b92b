// What the API needs to know about a dataset's content: that it parses, its statistics under a
// tokenizer, every sample's length in tokens, and how an instruction example is rendered and
// trained on. Seconds of work for tens of MiB (every character is tokenized), so the API runs it
// in a worker thread (see off-thread.ts).
import {
  type ChatTemplate,
  type Dataset,
  type DatasetSource,
  datasetAsJsonl,
  datasetStatistics,
  datasetTokenizer,
  type EncodingOptions,
  encodeInstructionExamples,
  type HfTokenizer,
  type InstructionDataset,
  instructionStatistics,
  modelChatTemplate,
  PLAIN_CHAT_TEMPLATE,
  readDatasetSource,
  readModelTokenizer,
  renderExamples,
  type TextDataset,
  type TokenizerKind,
} from "@attune/core/data";
import { instructionLengths, instructionTokenizer, renderedExample } from "./instruction.ts";

/** What every task is given besides the dataset. */
interface AnalysisInput {
  source: DatasetSource;
  tokenizer: TokenizerKind;
  /** How instruction data is rendered: the model's template, or PLAIN_CHAT_TEMPLATE. */
  chatTemplate?: ChatTemplate;
  assistantTurns?: EncodingOptions["assistantTurns"];
  /** The example to render, from 0 (the "example" task). */
  example?: number;
  /**
   * A pretrained model's tokenizer files and embedding rows: "model-tokens" counts with them, and
   * "sample-token-lengths" measures with them instead of `tokenizer`.
   */
  model?: { files: Map<string, Uint8Array>; embeddingRows: number };
}

export interface AnalysisRequest<Task extends AnalysisTask = AnalysisTask> extends AnalysisInput {
  task: Task;
}

/** Text samples or instruction examples, with what the request asks of instruction data. */
type Analysed =
  | { kind: "text"; dataset: TextDataset; request: AnalysisInput }
  | { kind: "instruction"; dataset: InstructionDataset; request: AnalysisInput };

/** What can be asked of a dataset. */
export const analysisTasks = {
  /**
   * The format too (a built-in corpus's is known only once it is loaded), and a CSV file's
   * content as the JSONL it is stored as.
   */
  statistics: ({ kind, dataset, request }: Analysed) => ({
    format: dataset.format,
    statistics:
      kind === "text"
        ? datasetStatistics(dataset, datasetTokenizer(request.tokenizer, dataset))
        : instructionDatasetStatistics(dataset, request),
    ...("format" in request.source && request.source.format === "csv"
      ? { jsonl: datasetAsJsonl(dataset).content }
      : {}),
  }),
  /**
   * For instruction data, each rendered example's length; with a model, as a trial starting from it
   * reads them (its tokenizer and chat template).
   */
  "sample-token-lengths": ({
    kind,
    dataset,
    request,
  }: Analysed): number[] | { problem: string } => {
    if (request.model !== undefined) {
      const read = modelTokenization(request.model);
      if ("problem" in read) return read;
      const { tokenizer, template } = read;
      return kind === "instruction"
        ? encodeInstructionExamples(
            renderExamples(dataset.examples, template),
            tokenizer,
            template,
            request,
          ).map((example) => example.tokens.length)
        : dataset.samples.map((sample) => tokenizer.encode(sample.text).length);
    }
    if (kind === "instruction") {
      return instructionLengths(dataset, request.tokenizer, templateOf(request), request);
    }
    const tokenizer = datasetTokenizer(request.tokenizer, dataset);
    return dataset.samples.map((sample) => tokenizer.encode(sample.text).length);
  },
  example: ({ kind, dataset, request }: Analysed) => {
    if (kind === "text") throw new Error("rendered examples are for instruction data only");
    return renderedExample(
      dataset,
      request.example ?? 0,
      request.tokenizer,
      templateOf(request),
      request,
    );
  },
  /**
   * The dataset's tokens as a trial that starts from the model reads it: re-tokenized with the
   * model's tokenizer, instruction data rendered with the model's chat template.
   */
  "model-tokens": ({ kind, dataset, request }: Analysed) => {
    if (request.model === undefined) throw new Error("model-tokens needs the model's files");
    const read = modelTokenization(request.model);
    if ("problem" in read) return read;
    const { tokenizer, template } = read;
    const statistics =
      kind === "text"
        ? datasetStatistics(dataset, tokenizer)
        : instructionStatistics(dataset, tokenizer, template, request);
    return { vocabularySize: tokenizer.vocabSize, tokens: statistics.tokens };
  },
} satisfies Record<string, (analysed: Analysed) => unknown>;

export type AnalysisTask = keyof typeof analysisTasks;
export type AnalysisResult<Task extends AnalysisTask> = ReturnType<(typeof analysisTasks)[Task]>;

function instructionDatasetStatistics(dataset: InstructionDataset, request: AnalysisInput) {
  const template = templateOf(request);
  const rendered = renderExamples(dataset.examples, template);
  const tokenizer = instructionTokenizer(request.tokenizer, rendered, template);
  return instructionStatistics(dataset, tokenizer, template, request);
}

/** The model's tokenizer and chat template, or why trials that start from it could not read them. */
function modelTokenization(
  model: NonNullable<AnalysisInput["model"]>,
): { tokenizer: HfTokenizer; template: ChatTemplate } | { problem: string } {
  try {
    const tokenizer = readModelTokenizer(model.files, model.embeddingRows);
    return { tokenizer, template: modelChatTemplate(tokenizer) };
  } catch (error) {
    // The model's problem, not the dataset's: the trials that start from it would fail alike.
    return { problem: (error as Error).message };
  }
}

function templateOf(request: AnalysisInput): ChatTemplate {
  return request.chatTemplate ?? PLAIN_CHAT_TEMPLATE;
}

export async function analyseDataset<Task extends AnalysisTask>(
  request: AnalysisRequest<Task>,
): Promise<AnalysisResult<Task>> {
  const dataset: Dataset = await readDatasetSource(request.source);
  const analysed: Analysed =
    "samples" in dataset
      ? { kind: "text", dataset, request }
      : { kind: "instruction", dataset, request };
  return analysisTasks[request.task](analysed) as AnalysisResult<Task>;
}
