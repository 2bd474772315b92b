// The vocabulary shared by samplers, pruners and strategies: a study's history as the algorithms see
// it. Storage stays outside: the runner builds a StudyHistory from the database and passes it in.

export type ParamValue = number | string | boolean;
/** One value per active parameter of the search space. */
export type Params = Record<string, ParamValue>;

export type Direction = "minimize" | "maximize";

/** The same states as the database's trials. */
export type TrialState =
  | "queued"
  | "running"
  | "paused"
  | "pruned"
  | "completed"
  | "failed"
  | "cancelled";

export interface IntermediateValue {
  /** Training step (the resource spent so far). */
  step: number;
  /** The first objective's value at that step, or a scalarisation of several (see the pruner). */
  value: number;
}

/** Every objective's value at one step, for multi-objective pruning. */
export interface IntermediateVector {
  step: number;
  /** One value per direction of the study. */
  values: number[];
}

export interface TrialRecord {
  number: number;
  params: Params;
  state: TrialState;
  /** Final objective values, one per direction, once completed. */
  values?: number[];
  /** Reported evaluations in increasing step order. */
  intermediate: IntermediateValue[];
  /** Reported vectors of all objectives in increasing step order, when a study has several. */
  intermediateValues?: IntermediateVector[];
  /** Optuna's constraint values: one per measured constraint, satisfied when <= 0; absent when the study has none or the trial has not finished. */
  constraints?: number[];
}

export interface StudyHistory {
  directions: Direction[];
  trials: TrialRecord[];
}
