"use client";
// One row of the study's trial table: a checkbox to pick the trial for comparison, its number
// (marked when it is the study's best or on the Pareto front so far, or when it broke a measured
// constraint), state and values.
import Link from "next/link";
import { memo, useSyncExternalStore } from "react";
import { StateBadge } from "~/components/ui.tsx";
import { formatDuration, formatParam } from "~/lib/format.ts";
import type { HighlightStore } from "~/lib/highlight.ts";
import type { TrialColumn } from "~/lib/trial-table.ts";
import { InfeasibleMark } from "./infeasible-mark.tsx";
import styles from "./study.module.css";
import type { StudyTrial } from "./study-data.ts";

/** The study's best trial, or another trial on its Pareto front (several objectives). */
export type TrialMark = "best" | "front";

const MARKS: Record<TrialMark, { symbol: string; words: string }> = {
  best: { symbol: "★", words: "the study's best trial" },
  front: { symbol: "◆", words: "on the Pareto front" },
};

function Mark({ mark }: { mark: TrialMark }) {
  const { symbol, words } = MARKS[mark];
  return (
    <span className={styles.bestMark} title={words} data-mark={mark}>
      {" "}
      <span aria-hidden="true">{symbol}</span>
      <span className="visually-hidden">({words})</span>
    </span>
  );
}

function cellText(column: TrialColumn, trial: StudyTrial, now: number): string {
  const value = column.value(trial, now);
  if (column.id === "duration") return value === null ? "–" : formatDuration(value as number);
  return formatParam(value);
}

export const TrialRow = memo(function TrialRow({
  trial,
  columns,
  now,
  mark,
  selected,
  highlight,
  onToggle,
}: {
  trial: StudyTrial;
  columns: readonly TrialColumn[];
  now: number;
  mark: TrialMark | undefined;
  selected: boolean;
  highlight: HighlightStore;
  onToggle: (trialId: string) => void;
}) {
  const highlighted = useSyncExternalStore(
    highlight.subscribe,
    () => highlight.get() === trial.id,
    () => false,
  );
  return (
    <tr
      className={highlighted ? "highlighted" : undefined}
      data-testid="trial-row"
      data-trial-id={trial.id}
      onMouseEnter={() => highlight.set(trial.id)}
      onMouseLeave={() => highlight.set(null)}
    >
      <td className={styles.pick}>
        <input
          type="checkbox"
          aria-label={`Pick trial ${trial.number} to compare`}
          checked={selected}
          onChange={() => onToggle(trial.id)}
        />
      </td>
      {columns.map((column) => (
        <td key={column.id} className={column.numeric ? "num" : undefined} data-column={column.id}>
          {column.id === "number" ? (
            <>
              <Link href={`/trials/${trial.id}`} prefetch={false}>
                #{trial.number}
                {mark && <Mark mark={mark} />}
              </Link>
              {trial.feasibility?.feasible === false && (
                <InfeasibleMark violations={trial.feasibility.violations} />
              )}
            </>
          ) : column.id === "state" ? (
            <StateBadge state={trial.state} />
          ) : (
            cellText(column, trial, now)
          )}
        </td>
      ))}
    </tr>
  );
});
