// A trial's study spec and the settings it trains with, as the trial page, the playground and the
// model export read them.
import { specOf } from "@attune/control";
import type { StudySpec, TrialSettings } from "@attune/core/spec";
import { parseTrialSettings } from "@attune/core/trial";
import { type Executor, getStudy, type Trial } from "@attune/db";

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
