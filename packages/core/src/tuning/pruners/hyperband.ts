import type { StudyHistory, TrialRecord } from "../types.ts";
import { AshaPruner } from "./asha.ts";
import type { PruneDecision, Pruner, PrunerSettings } from "./pruner.ts";

/**
 * Hyperband over ASHA, as Optuna's HyperbandPruner: bracket s runs ASHA with its first rung at
 * minResource·η^s, from the most aggressive bracket (s = 0) to one that never prunes. A trial's
 * bracket is a hash of its number, weighted by Hyperband's trial counts per bracket, and it competes
 * only with trials of its own bracket.
 */
export class HyperbandPruner implements Pruner {
  readonly brackets: AshaPruner[] = [];
  /** Hyperband's number of trials per bracket, the weights of the assignment. */
  private readonly budgets: number[] = [];

  constructor(settings: PrunerSettings<"hyperband">) {
    const { minResource, maxResource, reductionFactor } = settings;
    // The epsilon keeps log(81)/log(3) from rounding down to 3.
    const count =
      Math.floor(Math.log(maxResource / minResource) / Math.log(reductionFactor) + 1e-9) + 1;
    if (!(count >= 1)) {
      throw new Error(
        `Hyperband needs 0 < minResource <= maxResource, got ${minResource} and ${maxResource}`,
      );
    }
    for (let s = 0; s < count; s++) {
      this.brackets.push(
        new AshaPruner({
          minResource: minResource * reductionFactor ** s,
          maxResource,
          reductionFactor,
          mode: "prune",
        }),
      );
      const rungs = count - 1 - s;
      this.budgets.push(Math.ceil((count * reductionFactor ** rungs) / (rungs + 1)));
    }
  }

  /** The bracket a trial number belongs to. */
  bracketOf(trialNumber: number): number {
    const total = this.budgets.reduce((sum, budget) => sum + budget, 0);
    let position = hash(trialNumber) % total;
    for (const [bracket, budget] of this.budgets.entries()) {
      position -= budget;
      if (position < 0) return bracket;
    }
    throw new Error(`trial ${trialNumber} fell outside the ${this.budgets.length} brackets`);
  }

  decide(trial: TrialRecord, history: StudyHistory): PruneDecision {
    const bracket = this.bracketOf(trial.number);
    const sameBracket = history.trials.filter((other) => this.bracketOf(other.number) === bracket);
    return (this.brackets[bracket] as AshaPruner).decide(trial, {
      ...history,
      trials: sameBracket,
    });
  }

  promotions(): number[] {
    return [];
  }
}

/** MurmurHash3's 32-bit finaliser: consecutive numbers land in unrelated brackets. */
function hash(n: number): number {
  let h = n >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
