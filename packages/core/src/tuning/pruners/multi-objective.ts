import { dominates, toMinimization } from "../pareto.ts";
import type { StudyHistory, TrialRecord } from "../types.ts";
import { CONTINUE, type PruneDecision, type Pruner, type PrunerSettings } from "./pruner.ts";
import { isCheckDue, reportAt } from "./reports.ts";

export type MultiObjectivePrunerSettings = PrunerSettings<"multi-objective">;

/**
 * Multi-objective pruning by dominance count, the median rule generalised to vectors: at each
 * check, the trial's latest vector of intermediate values is compared with the completed trials'
 * vectors at the same step, and the trial is pruned if at least `dominatedBy` of them dominate it
 * (no worse in every objective, better in one). Unlike pruning on a weighted sum, it needs no
 * weights and never prunes a trial for trading one objective against another: only trials beaten
 * on every front at once. With dominatedBy = 1 it keeps only the current front of intermediate
 * vectors; larger values allow for curves that cross later. Start-up trials, warm-up and interval
 * work as in the median pruner. Trials report vectors in TrialRecord.intermediateValues.
 */
export class MultiObjectivePruner implements Pruner {
  constructor(private readonly settings: MultiObjectivePrunerSettings) {}

  decide(trial: TrialRecord, history: StudyHistory): PruneDecision {
    const { startupTrials, warmupSteps, intervalSteps, dominatedBy } = this.settings;
    const reports = trial.intermediateValues ?? [];
    const last = reports.at(-1);
    if (last === undefined) return CONTINUE;
    if (last.values.length !== history.directions.length) {
      throw new Error(
        `trial ${trial.number} reported ${last.values.length} values at step ${last.step} for ${history.directions.length} objectives`,
      );
    }
    const completed = history.trials.filter(
      (other) => other.state === "completed" && other.number !== trial.number,
    );
    if (completed.length === 0 || completed.length < startupTrials) return CONTINUE;
    if (!isCheckDue(reports, warmupSteps, intervalSteps)) return CONTINUE;
    const at = `(${last.values.join(", ")}) at step ${last.step}`;
    if (last.values.some(Number.isNaN)) return { action: "prune", reason: `NaN in ${at}` };

    const own = toMinimization(last.values, history.directions);
    const dominating = completed.filter((other) => {
      const vector = reportAt(other.intermediateValues ?? [], last.step)?.values;
      // A NaN compares as neither better nor worse, so a vector holding one cannot judge.
      if (vector === undefined || vector.some(Number.isNaN)) return false;
      return dominates(toMinimization(vector, history.directions), own);
    });
    if (dominating.length < dominatedBy) return CONTINUE;
    return {
      action: "prune",
      reason: `${at} is dominated by ${dominating.length} completed trials (${dominating.map((other) => other.number).join(", ")})`,
    };
  }

  promotions(): number[] {
    return [];
  }
}
