/**
 * A trial's data, prepared for its task: training batches and the validation batches every
 * evaluation sees, split by a fixed seed so that every trial of a study validates on the same
 * samples; instruction and dialogue trials also get the prompts their evaluations generate for.
 */
import {
  ClassificationSampler,
  classificationEvaluationBatches,
  encodeClassificationExamples,
  encodeSamples,
  evaluationBatches,
  type Fold,
  splitForLanguageModelling,
  splitSamples,
  splitSamplesFold,
  splitTokenStreamFold,
  WindowSampler,
} from "../data/batches.ts";
import { renderExamples } from "../data/chat-template.ts";
import {
  InstructionSampler,
  instructionEvaluationBatches,
  instructionRows,
  type RowFit,
  splitInstructionExamples,
} from "../data/instruction-batches.ts";
import type { InstructionDataset, InstructionExample } from "../data/instruction-dataset.ts";
import { encodeInstructionExamples } from "../data/instruction-encoding.ts";
import type { TextDataset } from "../data/text-dataset.ts";
import type { Batch, BatchSource } from "../train/trainer.ts";
import { TrialConfigError } from "./config-error.ts";
import { type GenerationEvaluation, generationEvaluation } from "./generation-eval.ts";
import {
  type InstructionPlan,
  inSettingNames,
  isInstructionDataset,
  type TrialDataset,
  type TrialPlan,
} from "./settings.ts";

/** Every trial validates on the same samples of a dataset, so that their losses compare. */
const SPLIT_SEED = 0;
/** The lines of the first few examples too long for seq_len, in its error. */
const REPORTED_LINES = 5;

export interface TrialData {
  train: BatchSource;
  /** Made once, so that every evaluation sees the same batches and a bad fit shows before training. */
  validation: Batch[];
  /** Instruction and dialogue trials: the validation prompts each evaluation generates for. */
  generation?: GenerationEvaluation;
}

/** The data errors here (text shorter than a window, too few samples) are the settings' to fix. */
export function prepareData(
  plan: TrialPlan,
  dataset: TrialDataset,
  seed: number,
  fold?: Fold,
): TrialData {
  try {
    if (isInstructionDataset(dataset)) {
      return instructionData(plan, plan.instruction as InstructionPlan, dataset, seed, fold);
    }
    if (plan.task === "classification") return classificationData(plan, dataset, seed, fold);
    return languageModellingData(plan, dataset, seed, fold);
  } catch (error) {
    throw new TrialConfigError([
      `the dataset does not suit these settings: ${inSettingNames((error as Error).message)}`,
    ]);
  }
}

function languageModellingData(
  plan: TrialPlan,
  dataset: TextDataset,
  seed: number,
  fold: Fold | undefined,
): TrialData {
  const { tokenizer, batchSize, validationFraction } = plan;
  const { seqLen } = plan;
  const split =
    fold === undefined
      ? splitForLanguageModelling(dataset, tokenizer, { validationFraction, seed: SPLIT_SEED })
      : splitTokenStreamFold(encodeSamples(dataset.samples, tokenizer), fold);
  return {
    train: new WindowSampler(split.train, { seqLen, batchSize, seed }),
    validation: [
      ...evaluationBatches(split.validation, { seqLen, batchSize, maxWindows: plan.evalWindows }),
    ],
  };
}

function classificationData(
  plan: TrialPlan,
  dataset: TextDataset,
  seed: number,
  fold: Fold | undefined,
): TrialData {
  const { tokenizer, batchSize, validationFraction } = plan;
  const { seqLen } = plan;
  const examples = encodeClassificationExamples(dataset, tokenizer);
  const split =
    fold === undefined
      ? splitSamples(examples, validationFraction, SPLIT_SEED)
      : splitSamplesFold(examples, fold, SPLIT_SEED);
  // Padding is masked out of pooling, so any token id will do.
  const padToken = tokenizer.endOfText ?? 0;
  return {
    train: new ClassificationSampler(split.train, { seqLen, batchSize, padToken, seed }),
    validation: [
      ...classificationEvaluationBatches(split.validation, { seqLen, batchSize, padToken }),
    ],
  };
}

/**
 * Rows of rendered, loss-masked examples, one per row or packed; an example longer than seq_len
 * fails the trial, naming how many and where, since cutting it would train on part of an answer.
 */
function instructionData(
  plan: TrialPlan,
  instruction: InstructionPlan,
  dataset: InstructionDataset,
  seed: number,
  fold: Fold | undefined,
): TrialData {
  const { tokenizer, batchSize, validationFraction } = plan;
  const { template, packing, assistantTurns } = instruction;
  const examples: readonly InstructionExample[] = dataset.examples;
  const split =
    fold === undefined
      ? splitInstructionExamples(examples, { validationFraction, seed: SPLIT_SEED })
      : splitSamplesFold(examples, fold, SPLIT_SEED);
  const rowsOf = (part: readonly InstructionExample[]) =>
    instructionRows(
      encodeInstructionExamples(renderExamples(part, template), tokenizer, template, {
        assistantTurns,
      }),
      { seqLen: plan.seqLen, pack: packing, padToken: tokenizer.endOfText ?? 0 },
    );
  const train = rowsOf(split.train);
  const validation = rowsOf(split.validation);
  checkFit([train.fit, validation.fit], plan.seqLen);
  return {
    train: new InstructionSampler(train.rows, { batchSize, packed: packing, seed }),
    validation: [...instructionEvaluationBatches(validation.rows, { batchSize, packed: packing })],
    generation: generationEvaluation(split.validation, examples, instruction, tokenizer),
  };
}

function checkFit(fits: RowFit[], seqLen: number) {
  const cut = fits.reduce((sum, fit) => sum + fit.truncated + fit.dropped, 0);
  if (cut === 0) return;
  const total = fits.reduce((sum, fit) => sum + fit.examples, 0);
  const lines = fits
    .flatMap((fit) => fit.cutLines)
    .sort((a, b) => a - b)
    .slice(0, REPORTED_LINES);
  throw new Error(
    `${cut} of ${total} examples are longer than seq_len ${seqLen} tokens (lines ${lines.join(", ")}${cut > lines.length ? ", …" : ""}), and cutting them would train on part of a completion: raise seq_len or shorten those examples`,
  );
}
