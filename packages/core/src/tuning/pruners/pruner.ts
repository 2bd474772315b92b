import type { PrunerSpec } from "../pruner-spec.ts";
import type { Direction, StudyHistory, TrialRecord } from "../types.ts";

/** What a running trial should do after its latest report. */
export type PruneDecision =
  | { action: "continue" }
  | { action: "prune"; reason: string }
  // Stop at a rung but keep the checkpoint: the trial may be promoted later (ASHA's pause mode).
  | { action: "pause"; reason: string };

/**
 * A pruner sees a trial's reports and the study's history, never the storage: the runner builds
 * the history and acts on the decision.
 */
export interface Pruner {
  /** Judges a trial on its latest report; history may or may not include the trial itself. */
  decide(trial: TrialRecord, history: StudyHistory): PruneDecision;
  /** Numbers of paused trials that should now resume from their checkpoints, most deserving first. */
  promotions(history: StudyHistory): number[];
}

/** A pruner's settings from the study spec, less the kind that chose it. */
export type PrunerSettings<Kind extends PrunerSpec["kind"]> = Omit<
  Extract<PrunerSpec, { kind: Kind }>,
  "kind"
>;

export const CONTINUE: PruneDecision = { action: "continue" };

/** The direction of a single-objective study; single-objective pruners cannot rank vectors. */
export function singleDirection(history: StudyHistory, pruner: string): Direction {
  const [direction, ...rest] = history.directions;
  if (direction === undefined || rest.length > 0) {
    throw new Error(
      `the ${pruner} pruner needs a single-objective study, got ${history.directions.length} directions; use the multi-objective pruner`,
    );
  }
  return direction;
}

/** True when a is strictly better than b; NaN is never better and everything beats NaN. */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return direction === "minimize" ? a < b : a > b;
}
