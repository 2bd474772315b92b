// How a trial that broke its study's measured constraints reads: each constraint and by how much
// it missed (Optuna's constraint value, in the constraint's own units).
import type { ConstraintViolation } from "@attune/core/spec";
import { formatNumber } from "./format.ts";

/** "Infeasible: param_count <= 20e6 missed by 5.00e+6; tokens_per_s >= 5000 missed by 1000". */
export function describeViolations(violations: readonly ConstraintViolation[]): string {
  const each = violations.map(
    ({ constraint, by }) => `${constraint} missed by ${formatNumber(by)}`,
  );
  return `Infeasible: ${each.join("; ")}`;
}
