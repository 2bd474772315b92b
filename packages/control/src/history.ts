// A study as the algorithms in packages/core see it, built from its rows.

import {
  type IntermediateValue,
  type IntermediateVector,
  type Measurements,
  measuredConstraintValues,
  measuredValues,
  type StudyHistory,
  type StudySpec,
  settingValues,
  studyConstraints,
  type TrialRecord,
  validateStudySpec,
} from "@attune/core/spec";
import {
  type Executor,
  readMetricSummaries,
  type SeriesPoint,
  type Study,
  type Trial,
} from "@attune/db";

/** The stored spec, validated again: a spec from an older version fails here, loudly. */
export function specOf(study: Pick<Study, "id" | "spec">): StudySpec {
  const result = validateStudySpec(study.spec);
  if (!result.ok) {
    const problems = result.errors.map((error) => `${error.path}: ${error.message}`).join("; ");
    throw new Error(`study ${study.id} has an invalid spec: ${problems}`);
  }
  return result.spec;
}

/** The study's wall-time budget is spent: it starts no more trials. */
export function wallTimeSpent(study: Pick<Study, "startedAt">, spec: StudySpec): boolean {
  const minutes = spec.budget.wallTimeMinutes;
  if (minutes === undefined || !study.startedAt) return false;
  return Date.now() - study.startedAt.getTime() > minutes * 60_000;
}

/** The metric keys whose series the pruners read: one per objective, in the spec's order. */
export function objectiveKeys(spec: StudySpec): string[] {
  return spec.objectives.map((objective) => objective.metric);
}

/**
 * Optuna's constraint values (one per measured constraint, feasible when <= 0) of the study's
 * finished trials, by trial id, from what each measured. Completed and pruned trials count as
 * finished, as in Optuna's _process_constraints_after_trial; a trial that lacks a value a
 * constraint reads is left out: its feasibility is not known.
 */
export async function readConstraintValues(
  db: Executor,
  spec: StudySpec,
  studyId: string,
  trials: readonly Trial[],
): Promise<Map<string, number[]>> {
  const constraints = studyConstraints(spec);
  const names = Object.keys(measuredValues).filter((name) =>
    constraints.some((constraint) => constraint.comparison.names.includes(name)),
  );
  const values = new Map<string, number[]>();
  if (names.length === 0) return values;
  const finished = trials.filter(
    (trial) => trial.state === "completed" || trial.state === "pruned",
  );
  const ids = finished.map((trial) => trial.id);
  const measured = new Map<string, Measurements>();
  for (const summary of await readMetricSummaries(db, studyId, ids, names)) {
    const name = summary.key as keyof typeof measuredValues;
    const values = measured.get(summary.trialId) ?? {};
    values[name] = summary[measuredValues[name]];
    measured.set(summary.trialId, values);
  }
  for (const trial of finished) {
    const settings = settingValues(spec, trial.params);
    const found = measuredConstraintValues(constraints, settings, measured.get(trial.id) ?? {});
    if (found !== undefined) values.set(trial.id, found);
  }
  return values;
}

/**
 * The history of a study: every trial with its state, final values and the series of its
 * objectives by step (the first objective as `intermediate`, all of them as `intermediateValues`
 * at the steps where each was reported), and the constraint values of those that have them.
 */
export function toHistory(
  spec: StudySpec,
  trials: readonly Trial[],
  series: readonly SeriesPoint[],
  constraintValues: ReadonlyMap<string, number[]> = new Map(),
): StudyHistory {
  const keys = objectiveKeys(spec);
  const byTrial = new Map<string, Map<number, Map<string, number>>>();
  for (const point of series) {
    const steps = byTrial.get(point.trialId) ?? new Map<number, Map<string, number>>();
    const values = steps.get(point.step) ?? new Map<string, number>();
    values.set(point.key, point.value);
    steps.set(point.step, values);
    byTrial.set(point.trialId, steps);
  }
  return {
    directions: spec.objectives.map((objective) => objective.direction),
    trials: trials.map((trial): TrialRecord => {
      const steps = [...(byTrial.get(trial.id) ?? new Map<number, Map<string, number>>())].sort(
        ([a], [b]) => a - b,
      );
      const intermediate: IntermediateValue[] = [];
      const intermediateValues: IntermediateVector[] = [];
      for (const [step, values] of steps) {
        const first = values.get(keys[0] ?? "");
        if (first !== undefined) intermediate.push({ step, value: first });
        const vector = keys.map((key) => values.get(key));
        if (vector.every((value) => value !== undefined)) {
          intermediateValues.push({ step, values: vector as number[] });
        }
      }
      const constraints = constraintValues.get(trial.id);
      return {
        number: trial.number,
        params: trial.params,
        state: trial.state,
        ...(trial.values ? { values: trial.values } : {}),
        intermediate,
        intermediateValues,
        ...(constraints ? { constraints } : {}),
      };
    }),
  };
}
