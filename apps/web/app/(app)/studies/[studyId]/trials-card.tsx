"use client";
// Every trial of the study in one table: sortable by any column, filtered by state, with only the
// rows in view in the page (so 500 or 5,000 trials scroll alike), links to each trial, and
// checkboxes to pick trials to compare.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRouter } from "next/navigation";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { Card, TableScroll } from "~/components/ui.tsx";
import { compareHref, MAX_COMPARED } from "~/lib/compare.ts";
import type { HighlightStore } from "~/lib/highlight.ts";
import {
  countStates,
  defaultSort,
  filterTrials,
  nextSort,
  type ObjectiveSpec,
  sortTrials,
  type TrialSort,
  trialColumns,
} from "~/lib/trial-table.ts";
import styles from "./study.module.css";
import type { StudyTrial } from "./study-data.ts";
import { TrialRow } from "./trial-row.tsx";

/** Each row's height in pixels, fixed so the virtualiser can place rows without measuring. */
const ROW_HEIGHT = 34;

export const TrialsCard = memo(function TrialsCard({
  studyId,
  trials,
  objectives,
  parameters,
  bestTrialId,
  frontIds,
  states,
  onStatesChange,
  highlight,
}: {
  studyId: string;
  trials: readonly StudyTrial[];
  objectives: readonly ObjectiveSpec[];
  parameters: readonly string[];
  bestTrialId: string | null;
  /** The Pareto front so far, in a study of several objectives. */
  frontIds: ReadonlySet<string>;
  states: ReadonlySet<string>;
  onStatesChange: (states: ReadonlySet<string>) => void;
  highlight: HighlightStore;
}) {
  const router = useRouter();
  const [sort, setSort] = useState<TrialSort>(() => defaultSort(objectives));
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const columns = useMemo(() => trialColumns(objectives, parameters), [objectives, parameters]);
  // Durations of running trials are as of the last read; the live view reads again as they train.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new list of trials is a new "now".
  const now = useMemo(() => Date.now(), [trials]);
  const rows = useMemo(
    () => sortTrials(filterTrials(trials, states), columns, sort, now),
    [trials, states, columns, sort, now],
  );
  // A chosen state stays on offer when its last trial leaves it, so it can be unchosen.
  const counts = useMemo(() => {
    const present = countStates(trials);
    const absent = [...states].filter((state) => !present.some(([name]) => name === state));
    return [...present, ...absent.map((state): [string, number] => [state, 0])];
  }, [trials, states]);

  const scroller = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  // A trial picked and then filtered away stays picked; one that no longer exists does not.
  useEffect(() => {
    const ids = new Set(trials.map((trial) => trial.id));
    setSelected((current) =>
      [...current].every((id) => ids.has(id))
        ? current
        : new Set([...current].filter((id) => ids.has(id))),
    );
  }, [trials]);

  const toggle = useMemo(
    () => (trialId: string) =>
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(trialId)) next.delete(trialId);
        else if (next.size < MAX_COMPARED) next.add(trialId);
        return next;
      }),
    [],
  );
  const toggleState = (state: string) => {
    const next = new Set(states);
    if (next.has(state)) next.delete(state);
    else next.add(state);
    onStatesChange(next);
  };
  const picked = trials.filter((trial) => selected.has(trial.id)).map((trial) => trial.id);

  return (
    <Card
      title={`Trials (${rows.length}${rows.length === trials.length ? "" : ` of ${trials.length}`})`}
      testId="trials-card"
      actions={
        <>
          {picked.length > 0 && (
            <button
              type="button"
              className="button ghost small"
              onClick={() => setSelected(new Set())}
            >
              Clear
            </button>
          )}
          <button
            type="button"
            className="button small"
            disabled={picked.length < 2}
            title={picked.length < 2 ? "Pick two or more trials with the checkboxes" : undefined}
            onClick={() => router.push(compareHref(studyId, picked))}
            data-testid="compare-button"
          >
            Compare {picked.length > 0 ? picked.length : ""}
          </button>
        </>
      }
    >
      {/* biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form field set */}
      <div className={styles.stateFilter} role="group" aria-label="Show trials in these states">
        {counts.map(([state, count]) => (
          <button
            key={state}
            type="button"
            aria-pressed={states.has(state)}
            onClick={() => toggleState(state)}
            data-testid={`state-filter-${state}`}
          >
            {state} <span className="muted">{count}</span>
          </button>
        ))}
        {states.size > 0 && (
          <button
            type="button"
            className={styles.resetFilter}
            onClick={() => onStatesChange(new Set())}
          >
            all states
          </button>
        )}
      </div>
      <TableScroll
        ref={scroller}
        label="The study's trials"
        className={styles.tableScroll}
        testId="trial-table-scroll"
      >
        <table className={`data ${styles.trialTable}`} data-testid="trial-table">
          <thead>
            <tr>
              <th className={styles.pick}>
                <span className="visually-hidden">Pick</span>
              </th>
              {columns.map((column) => {
                const active = sort.column === column.id;
                return (
                  <th
                    key={column.id}
                    className={column.numeric ? "num" : undefined}
                    aria-sort={
                      active ? (sort.direction === "asc" ? "ascending" : "descending") : undefined
                    }
                  >
                    <button
                      type="button"
                      className={styles.sortButton}
                      onClick={() => setSort(nextSort(sort, column))}
                    >
                      {column.label}
                      <span aria-hidden="true" className={styles.sortMark}>
                        {active ? (sort.direction === "asc" ? "▲" : "▼") : ""}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr style={{ height: padTop }}>
                <td colSpan={columns.length + 1} />
              </tr>
            )}
            {items.map((item) => {
              const trial = rows[item.index] as StudyTrial;
              return (
                <TrialRow
                  key={trial.id}
                  trial={trial}
                  columns={columns}
                  now={now}
                  mark={
                    trial.id === bestTrialId ? "best" : frontIds.has(trial.id) ? "front" : undefined
                  }
                  selected={selected.has(trial.id)}
                  highlight={highlight}
                  onToggle={toggle}
                />
              );
            })}
            {padBottom > 0 && (
              <tr style={{ height: padBottom }}>
                <td colSpan={columns.length + 1} />
              </tr>
            )}
          </tbody>
        </table>
        {rows.length === 0 && <p className={styles.note}>No trial is in the chosen states.</p>}
      </TableScroll>
    </Card>
  );
});
