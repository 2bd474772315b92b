import type { StudyHistory, TrialRecord } from "../types.ts";
import {
  CONTINUE,
  isBetter,
  type PruneDecision,
  type Pruner,
  type PrunerSettings,
  singleDirection,
} from "./pruner.ts";
import { bestValue, isCheckDue, median, reportAt } from "./reports.ts";

/**
 * Optuna's MedianPruner: prune a trial whose best value so far is worse than the median of the
 * completed trials' values at the same step. No pruning before startupTrials have completed, before
 * warmupSteps, or between checks every intervalSteps.
 */
export class MedianPruner implements Pruner {
  constructor(private readonly settings: PrunerSettings<"median">) {}

  decide(trial: TrialRecord, history: StudyHistory): PruneDecision {
    const direction = singleDirection(history, "median");
    const { startupTrials, warmupSteps, intervalSteps } = this.settings;
    const completed = history.trials.filter(
      (other) => other.state === "completed" && other.number !== trial.number,
    );
    const last = trial.intermediate.at(-1);
    if (last === undefined || completed.length === 0 || completed.length < startupTrials) {
      return CONTINUE;
    }
    if (!isCheckDue(trial.intermediate, warmupSteps, intervalSteps)) return CONTINUE;

    // The best so far, not the latest, so one noisy report does not prune a good trial.
    const best = bestValue(trial.intermediate, direction);
    if (Number.isNaN(best)) {
      return { action: "prune", reason: `every value is NaN at step ${last.step}` };
    }
    const others = completed
      .map((other) => reportAt(other.intermediate, last.step)?.value)
      .filter((value): value is number => value !== undefined && !Number.isNaN(value));
    if (others.length === 0) return CONTINUE;
    const middle = median(others);
    if (!isBetter(middle, best, direction)) return CONTINUE;
    return {
      action: "prune",
      reason: `best value ${best} by step ${last.step} is worse than the median ${middle} of ${others.length} completed trials there`,
    };
  }

  promotions(): number[] {
    return [];
  }
}
