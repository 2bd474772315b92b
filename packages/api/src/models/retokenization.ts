// A study that starts from a model re-tokenizes its dataset with the model's tokenizer: which
// studies of a dataset's project do, and how many tokens the dataset comes to under a model's
// tokenizer, read from the model's stored tokenizer files alone (never its weights).

import { storedDatasetSource } from "@attune/control";
import { MODEL_TOKENIZER_FILES } from "@attune/core/data";
import {
  type DatasetMeta,
  type Executor,
  findModelByReference,
  listStudies,
  type Model,
  readModelFiles,
  type Study,
} from "@attune/db";
import { TRPCError } from "@trpc/server";
import { analysed } from "../dataset-analysis/analysed.ts";

export interface StudyFromModel {
  study: Pick<Study, "id" | "name" | "status">;
  /** The model as the spec names it, by name or id. */
  modelReference: string;
  /** The project's model of that reference; null once the project has none. */
  model: Pick<Model, "id" | "name" | "status"> | null;
}

/** The project's studies on the dataset (named by name or id) that start from a model, newest first. */
export async function studiesFromModels(
  db: Executor,
  dataset: Pick<DatasetMeta, "id" | "name" | "projectId">,
): Promise<StudyFromModel[]> {
  const found = new Map<string, Model | undefined>();
  const result: StudyFromModel[] = [];
  for (const study of await listStudies(db, dataset.projectId)) {
    const { dataset: datasetReference, model: reference } = study.spec;
    if (typeof reference !== "string") continue;
    if (datasetReference !== dataset.id && datasetReference !== dataset.name) continue;
    if (!found.has(reference)) {
      found.set(reference, await findModelByReference(db, dataset.projectId, reference));
    }
    const model = found.get(reference);
    result.push({
      study: { id: study.id, name: study.name, status: study.status },
      modelReference: reference,
      model: model ? { id: model.id, name: model.name, status: model.status } : null,
    });
  }
  return result;
}

/**
 * The dataset's tokens under the model's tokenizer, as a trial starting from the model reads it,
 * and the tokenizer's vocabulary size. PRECONDITION_FAILED when the model has no tokenizer that
 * trials could read.
 */
export async function tokensUnderModel(
  db: Executor,
  dataset: DatasetMeta,
  model: Model,
): Promise<{ vocabularySize: number; tokens: number }> {
  const counted = await analysed({
    task: "model-tokens",
    source: await storedDatasetSource(db, dataset),
    tokenizer: dataset.tokenizer,
    model: await modelTokenizerFiles(db, model),
  });
  if ("problem" in counted) throw unreadableTokenizer(model, counted.problem);
  return counted;
}

/**
 * What reading a model's tokenizer takes: its tokenizer files alone (never the weights) and its
 * embedding's rows. PRECONDITION_FAILED when it has no tokenizer that trials could read.
 */
export async function modelTokenizerFiles(db: Executor, model: Model) {
  const refuse = (why: string) =>
    new TRPCError({ code: "PRECONDITION_FAILED", message: `model "${model.name}" ${why}` });
  if (model.status !== "ready") throw refuse(`is ${model.status}, not ready`);
  if (model.tokenizer === null) throw refuse("has no tokenizer files");
  // config.json's vocab_size (GPT-2's and Llama's name): the embedding's rows, which the
  // tokenizer's vocabulary must fill exactly, as for a trial.
  const embeddingRows = (model.config as { vocab_size?: unknown } | null)?.vocab_size;
  if (typeof embeddingRows !== "number") throw refuse("has no vocab_size in its config.json");
  const files = await readModelFiles(db, model.id, { only: MODEL_TOKENIZER_FILES });
  return { files, embeddingRows };
}

export function unreadableTokenizer(model: Model, problem: string): TRPCError {
  return new TRPCError({
    code: "PRECONDITION_FAILED",
    message: `model "${model.name}" has a tokenizer trials cannot read: ${problem}`,
  });
}
