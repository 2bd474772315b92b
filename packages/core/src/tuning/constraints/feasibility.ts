// Feasibility of a trial as Optuna judges it from its constraint values (TrialRecord.constraints):
// feasible when every value is at most 0; infeasible ones compare by their total violation.
import type { TrialRecord } from "../types.ts";

/**
 * The sum of the trial's positive constraint values (Optuna's penalty): 0 for a feasible trial and
 * for one whose constraints are not known, as Optuna treats a trial without constraint values.
 */
export function totalViolation(trial: Pick<TrialRecord, "constraints">): number {
  return (trial.constraints ?? []).reduce((sum, value) => (value > 0 ? sum + value : sum), 0);
}

export function isFeasible(trial: Pick<TrialRecord, "constraints">): boolean {
  return totalViolation(trial) === 0;
}
