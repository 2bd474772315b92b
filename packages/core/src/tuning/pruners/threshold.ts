import type { StudyHistory, TrialRecord } from "../types.ts";
import {
  CONTINUE,
  isBetter,
  type PruneDecision,
  type Pruner,
  type PrunerSettings,
  singleDirection,
} from "./pruner.ts";
import { bestValue } from "./reports.ts";

/**
 * Stops diverging trials: a NaN or infinite value, a value outside [lower, upper], or no
 * improvement by minDelta over the last `patience` reports (counted as Keras' EarlyStopping counts).
 * It looks at the trial alone.
 */
export class ThresholdPruner implements Pruner {
  constructor(private readonly settings: PrunerSettings<"threshold">) {}

  decide(trial: TrialRecord, history: StudyHistory): PruneDecision {
    const last = trial.intermediate.at(-1);
    if (last === undefined) return CONTINUE;
    const { lower, upper, patience, minDelta } = this.settings;
    const at = `at step ${last.step}`;
    if (!Number.isFinite(last.value)) return { action: "prune", reason: `${last.value} ${at}` };
    if (lower !== undefined && last.value < lower) {
      return { action: "prune", reason: `${last.value} ${at} is below ${lower}` };
    }
    if (upper !== undefined && last.value > upper) {
      return { action: "prune", reason: `${last.value} ${at} is above ${upper}` };
    }
    if (patience === undefined || trial.intermediate.length <= patience) return CONTINUE;

    const direction = singleDirection(history, "threshold");
    const before = bestValue(trial.intermediate.slice(0, -patience), direction);
    const recent = bestValue(trial.intermediate.slice(-patience), direction);
    // The recent best must beat the earlier best by minDelta to count as progress.
    const target = direction === "minimize" ? before - minDelta : before + minDelta;
    if (isBetter(recent, target, direction)) return CONTINUE;
    return {
      action: "prune",
      reason: `no improvement by ${minDelta} on ${before} in the last ${patience} reports ${at} (best ${recent})`,
    };
  }

  promotions(): number[] {
    return [];
  }
}
