"use client";
// How much of the budget the study has spent (trials, steps, time) and its best result so far.
import type { StudySpec } from "@attune/core/spec";
import Link from "next/link";
import type { CSSProperties } from "react";
import { formatDuration, formatNumber } from "~/lib/format.ts";
import { budgetSummary, isStudyFinished, percent } from "~/lib/study-live.ts";
import styles from "./study.module.css";
import type { Study, StudyTrial } from "./study-data.ts";

function Meter({ done, total }: { done: number; total: number }) {
  return (
    <div className={styles.meter} aria-hidden="true">
      <div style={{ "--meter-fill": `${percent(done, total)}%` } as CSSProperties} />
    </div>
  );
}

export function StudySummary({
  study,
  spec,
  trials,
}: {
  study: Study;
  spec: StudySpec;
  trials: readonly StudyTrial[];
}) {
  const budget = budgetSummary(spec.budget, trials, study, Date.now());
  const best = study.bestTrialId
    ? trials.find((trial) => trial.id === study.bestTrialId)
    : undefined;
  // While trials still train, the best is the best of those that finished.
  const soFar = isStudyFinished(study.status) ? "" : " so far";
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
      {spec.objectives.map((objective, index) => (
        <div className="stat" key={objective.metric}>
          <div className="label">
            Best {objective.metric}
            {soFar} ({objective.direction === "minimize" ? "lowest" : "highest"})
          </div>
          <div className="value" data-testid={`best-value-${index}`}>
            {formatNumber(best?.values?.[index])}
          </div>
          {best && (
            <div className={styles.statNote}>
              <Link href={`/trials/${best.id}`} prefetch={false}>
                trial #{best.number}
              </Link>
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
