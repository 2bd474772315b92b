/**
 * A batch's loss (and a classifier's accuracy), and the validation loss over many batches: the
 * language model's loss on every target, an instruction batch's on its trained-on targets only
 * (the completions), a classifier's on its labels.
 */
import * as tf from "@tensorflow/tfjs";
import type { ClassificationBatch, TokenBatch } from "../data/batches.ts";
import type { InstructionBatch } from "../data/instruction-batches.ts";
import {
  classificationLoss,
  type GPT,
  languageModelLoss,
  maskedLanguageModelLoss,
} from "../model/gpt.ts";

export type Batch = TokenBatch | InstructionBatch | ClassificationBatch;

/** Loss and (for classifiers) accuracy of one batch; dropout only when a seed is given. */
export function batchMetrics(
  model: GPT,
  batch: Batch,
  options: { dropoutSeed?: number },
): { loss: tf.Scalar; accuracy?: tf.Scalar } {
  const forward = { training: options.dropoutSeed !== undefined, ...options };
  if ("labels" in batch) return classificationLoss(model, batch, forward);
  if ("lossMask" in batch) return { loss: maskedLanguageModelLoss(model, batch, forward) };
  return { loss: languageModelLoss(model, batch, forward) };
}

/** What a batch's mean loss is over: a classifier's rows, the trained-on targets, or every target. */
function lossWeight(batch: Batch): number {
  if ("labels" in batch) return batch.batchSize;
  if ("lossMask" in batch) return batch.lossMask.reduce((sum, trained) => sum + trained, 0);
  return batch.targets.length;
}

export interface ValidationMetrics {
  loss: number;
  /** Only for classifiers. */
  accuracy?: number;
}

/** The mean loss over all the batches' rows or targets (each batch weighted by lossWeight). */
export function validationMetrics(model: GPT, batches: Iterable<Batch>): ValidationMetrics {
  let weightedLoss = 0;
  let weightedAccuracy = 0;
  let weight = 0;
  for (const batch of batches) {
    const [loss, accuracy] = tf.tidy(() => {
      const metrics = batchMetrics(model, batch, {});
      return [metrics.loss.dataSync()[0] ?? NaN, metrics.accuracy?.dataSync()[0]];
    });
    const batchWeight = lossWeight(batch);
    weightedLoss += loss * batchWeight;
    weightedAccuracy += (accuracy ?? 0) * batchWeight;
    weight += batchWeight;
  }
  if (weight === 0) throw new Error("the validation set produced no batches");
  return {
    loss: weightedLoss / weight,
    ...(model.config.numClasses === undefined ? {} : { accuracy: weightedAccuracy / weight }),
  };
}
