// A trial's study spec, the settings it trains with and the model it started from, as the trial
// page, the playground and the model export read them.
import { specOf } from "@attune/control";
import type { StudySpec, TrialSettings } from "@attune/core/spec";
import { parseTrialSettings } from "@attune/core/trial";
import {
  type Executor,
  findModelByReference,
  getStudy,
  readModelFiles,
  type Trial,
} from "@attune/db";
import { TRPCError } from "@trpc/server";

export async function trialSpec(db: Executor, trial: Trial): Promise<StudySpec> {
  const study = await getStudy(db, trial.studyId);
  if (!study) throw new Error(`trial ${trial.id} has no study ${trial.studyId}`);
  return specOf(study);
}

/**
 * Every setting the trial trains with, defaults included: the study's fixed settings merged with
 * the trial's parameters, as the runner reads them; or why the runner cannot.
 */
export function trainingSettings(
  spec: StudySpec,
  trial: Trial,
): { ok: true; values: TrialSettings } | { ok: false; error: string } {
  try {
    return { ok: true, values: parseTrialSettings({ ...spec.fixed, ...trial.params }) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * Reads the study's model when its trials start from one (its spec's `model`): the base a LoRA or
 * freeze checkpoint needs to be read (core's restoreTrialCheckpoint calls it only then).
 */
export function studyModelFiles(db: Executor, spec: StudySpec, projectId: string) {
  return async (): Promise<Map<string, Uint8Array> | undefined> => {
    if (spec.model === undefined) return undefined;
    const model = await findModelByReference(db, projectId, spec.model);
    if (model?.status !== "ready") {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `the study's model "${spec.model}" ${model ? `is ${model.status}` : "is gone"}: a fine-tuned checkpoint is read with its base model`,
      });
    }
    return readModelFiles(db, model.id);
  };
}
