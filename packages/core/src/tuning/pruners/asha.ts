import type { Direction, StudyHistory, TrialRecord } from "../types.ts";
import {
  CONTINUE,
  isBetter,
  type PruneDecision,
  type Pruner,
  type PrunerSettings,
  singleDirection,
} from "./pruner.ts";
import { firstReportFrom } from "./reports.ts";

/**
 * Asynchronous successive halving (Li et al. 2018), with rungs at minResource·η^k below
 * maxResource (η = reductionFactor). A trial that reaches a rung continues at once if it is in the
 * top 1/η of the trials that reached that rung so far; otherwise it is pruned or, in pause mode,
 * paused there. Each new arrival at a rung widens its top 1/η, so a paused trial
 * may later become promotable and resume from its checkpoint (as Ray Tune resumes, not restarts).
 *
 * A trial's value at a rung is its first report at or after the rung's step, so trials that report
 * every few steps still compete.
 */
export class AshaPruner implements Pruner {
  /** Rung steps, ascending. */
  readonly rungs: number[];

  constructor(private readonly settings: PrunerSettings<"asha">) {
    const { minResource, maxResource, reductionFactor } = settings;
    if (!(minResource > 0 && maxResource >= minResource && reductionFactor >= 2)) {
      throw new Error(
        `ASHA needs 0 < minResource <= maxResource and reductionFactor >= 2, got ${minResource}, ${maxResource}, ${reductionFactor}`,
      );
    }
    this.rungs = [];
    for (let step = minResource; step < maxResource; step *= reductionFactor) this.rungs.push(step);
  }

  decide(trial: TrialRecord, history: StudyHistory): PruneDecision {
    const direction = singleDirection(history, "ASHA");
    const last = trial.intermediate.at(-1);
    if (last === undefined) return CONTINUE;
    const previousStep = trial.intermediate.at(-2)?.step ?? Number.NEGATIVE_INFINITY;
    // Only the rungs this report has just crossed are judged, so a resumed trial is not judged twice.
    for (const [rung, step] of this.rungs.entries()) {
      if (step > last.step || step <= previousStep) continue;
      if (Number.isNaN(last.value)) return { action: "prune", reason: `NaN at rung ${rung}` };
      const values = this.rungValues(rung, history, trial.number);
      values.push(last.value);
      if (isPromotable(last.value, values, this.settings.reductionFactor, direction)) continue;
      return {
        action: this.settings.mode,
        reason: `value ${last.value} at rung ${rung} (step ${step}) is not in the top 1/${this.settings.reductionFactor} of ${values.length} trials there`,
      };
    }
    return CONTINUE;
  }

  /** Paused trials now in the top 1/η of their rung, highest rung first, then best value first. */
  promotions(history: StudyHistory): number[] {
    if (this.settings.mode !== "pause") return [];
    const direction = singleDirection(history, "ASHA");
    const promoted: number[] = [];
    for (let rung = this.rungs.length - 1; rung >= 0; rung--) {
      const values = this.rungValues(rung, history);
      const candidates = history.trials
        .filter((trial) => trial.state === "paused" && this.pausedRung(trial) === rung)
        .map((trial) => ({ trial, value: this.rungValue(trial, rung) as number }))
        .filter(({ value }) =>
          isPromotable(value, values, this.settings.reductionFactor, direction),
        )
        .sort((a, b) => bestFirst(direction)(a.value, b.value));
      promoted.push(...candidates.map(({ trial }) => trial.number));
    }
    return promoted;
  }

  private rungValue(trial: TrialRecord, rung: number): number | undefined {
    return firstReportFrom(trial.intermediate, this.rungs[rung] as number)?.value;
  }

  /** Every trial's value at a rung, whatever its state now, except the one being judged. */
  private rungValues(rung: number, history: StudyHistory, exclude?: number): number[] {
    return history.trials
      .filter((trial) => trial.number !== exclude)
      .map((trial) => this.rungValue(trial, rung))
      .filter((value): value is number => value !== undefined);
  }

  /** The highest rung a trial's reports have reached. */
  private pausedRung(trial: TrialRecord): number {
    const lastStep = trial.intermediate.at(-1)?.step ?? Number.NEGATIVE_INFINITY;
    return this.rungs.findLastIndex((step) => step <= lastStep);
  }
}

/**
 * Whether a value is in the top 1/η of a rung's values (which include it). With fewer than η
 * values the top 1/η is empty, so, like Optuna, the rule then keeps only the best so far.
 */
function isPromotable(
  value: number,
  values: readonly number[],
  reductionFactor: number,
  direction: Direction,
): boolean {
  const ranked = values.filter((other) => !Number.isNaN(other)).sort(bestFirst(direction));
  const cutoff = ranked[Math.max(0, Math.floor(ranked.length / reductionFactor) - 1)];
  return cutoff !== undefined && !isBetter(cutoff, value, direction);
}

function bestFirst(direction: Direction): (a: number, b: number) => number {
  return direction === "minimize" ? (a, b) => a - b : (a, b) => b - a;
}
