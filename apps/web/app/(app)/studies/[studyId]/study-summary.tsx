"use client";
// How much of the budget the study has spent (trials, steps, time) and its best result so far.
import type { StudySpec } from "@attune/core/spec";
import Link from "next/link";
import type { CSSProperties } from "react";
import { formatDuration, formatNumber } from "~/lib/format.ts";
import { budgetSummary, isStudyFinished, percent } from "~/lib/study-live.ts";
import styles from "./study.module.css";
import type { FrontTrial, Study, StudyTrial } from "./study-data.ts";

function Meter({ done, total }: { done: number; total: number }) {
  return (
    <div className={styles.meter} aria-hidden="true">
      <div style={{ "--meter-fill": `${percent(done, total)}%` } as CSSProperties} />
    </div>
  );
}

/** The objective's best value among `trials`, with the trial that has it. */
function bestOn(trials: readonly FrontTrial[], index: number, direction: string) {
  const sign = direction === "minimize" ? 1 : -1;
  return trials.reduce<FrontTrial | undefined>(
    (best, trial) =>
      best === undefined ||
      sign * (trial.values[index] as number) < sign * (best.values[index] as number)
        ? trial
        : best,
    undefined,
  );
}

export function StudySummary({
  study,
  spec,
  trials,
  front,
}: {
  study: Study;
  spec: StudySpec;
  trials: readonly StudyTrial[];
  /** The Pareto front so far, in a study of several objectives. */
  front: readonly FrontTrial[] | undefined;
}) {
  const budget = budgetSummary(spec.budget, trials, study, Date.now());
  const best = study.bestTrialId
    ? trials.find((trial) => trial.id === study.bestTrialId)
    : undefined;
  // While trials still train, the best is the best of those that finished.
  const soFar = isStudyFinished(study.status) ? "" : " so far";
  /** Each objective's best and its trial: the study's best trial for one objective; with several,
   * the front's best on that objective (no one trial is best on all). */
  const bestOf = (index: number, direction: string) => {
    if (spec.objectives.length === 1) {
      return best && { id: best.id, number: best.number, value: best.values?.[index] };
    }
    const trial = front && bestOn(front, index, direction);
    return trial && { id: trial.trialId, number: trial.number, value: trial.values[index] };
  };
  return (
    <div className="stats" data-testid="study-summary">
      <div className="stat">
        <div className="label">Trials finished</div>
        <div className="value" data-testid="budget-trials">
          {budget.trials.finished} / {budget.trials.total}
        </div>
        <Meter done={budget.trials.finished} total={budget.trials.total} />
      </div>
      {budget.steps && (
        <div className="stat">
          <div className="label">Steps trained</div>
          <div className="value" data-testid="budget-steps">
            {formatNumber(budget.steps.done)} / {formatNumber(budget.steps.total)}
          </div>
          <Meter done={budget.steps.done} total={budget.steps.total} />
        </div>
      )}
      {budget.time && (
        <div className="stat">
          <div className="label">Time spent</div>
          <div className="value">
            {formatDuration(budget.time.elapsedMs)} / {formatDuration(budget.time.totalMs)}
          </div>
          <Meter done={budget.time.elapsedMs} total={budget.time.totalMs} />
        </div>
      )}
      {spec.objectives.map((objective, index) => {
        const top = bestOf(index, objective.direction);
        return (
          <div className="stat" key={objective.metric}>
            <div className="label">
              Best {objective.metric}
              {soFar} ({objective.direction === "minimize" ? "lowest" : "highest"})
            </div>
            <div className="value" data-testid={`best-value-${index}`}>
              {formatNumber(top?.value)}
            </div>
            {top && (
              <div className={styles.statNote}>
                <Link href={`/trials/${top.id}`} prefetch={false}>
                  trial #{top.number}
                </Link>
              </div>
            )}
          </div>
        );
      })}
      {spec.objectives.length > 1 && (
        <div className="stat">
          <div className="label">On the Pareto front{soFar}</div>
          <div className="value" data-testid="front-size">
            {front ? `${front.length} trial${front.length === 1 ? "" : "s"}` : "–"}
          </div>
          <div className={styles.statNote}>none of the others is better on every objective</div>
        </div>
      )}
    </div>
  );
}
