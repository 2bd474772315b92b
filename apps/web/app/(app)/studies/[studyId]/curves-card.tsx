"use client";
// Every trial's curve of one metric on one chart, coloured by how good the trial's result is. The
// trials are those the table's state filter keeps; hovering a curve highlights its row.
import { memo, useId, useMemo, useState, useSyncExternalStore } from "react";
import { LineChart, type LineChartProps, type LineSeries } from "~/components/line-chart.tsx";
import { Card, ErrorNote } from "~/components/ui.tsx";
import type { CurvePoint } from "~/lib/curves.ts";
import type { HighlightStore } from "~/lib/highlight.ts";
import { curveMetrics, prefersLogScale } from "~/lib/metric-keys.ts";
import { trialColors } from "~/lib/parallel-coordinates.ts";
import { filterTrials, type ObjectiveSpec } from "~/lib/trial-table.ts";
import styles from "./study.module.css";
import { type StudyTrial, useTrialCurves } from "./study-data.ts";

/** Points per curve on the overview: enough for the shape of 1,000 steps, cheap for 500 trials. */
export const OVERVIEW_POINTS = 200;

const NO_POINTS: CurvePoint[] = [];

export interface CurveControls {
  metric: string;
  logScale: boolean;
  smoothing: number;
}

/** The metric picker, log toggle and smoothing slider of a curves chart. */
export function CurveToolbar({
  metrics,
  value,
  onChange,
}: {
  metrics: readonly string[];
  value: CurveControls;
  onChange: (next: CurveControls) => void;
}) {
  const id = useId();
  return (
    <div className={styles.toolbar}>
      <label className={styles.inline}>
        <span>Metric</span>
        <select
          value={value.metric}
          data-testid="metric-picker"
          onChange={(event) =>
            onChange({
              ...value,
              metric: event.target.value,
              logScale: prefersLogScale(event.target.value),
            })
          }
        >
          {metrics.map((metric) => (
            <option key={metric} value={metric}>
              {metric}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.inline}>
        <input
          type="checkbox"
          checked={value.logScale}
          data-testid="log-scale"
          onChange={(event) => onChange({ ...value, logScale: event.target.checked })}
        />
        <span>Log scale</span>
      </label>
      <label className={styles.inline} htmlFor={`${id}-smoothing`}>
        <span>Smoothing</span>
        <input
          id={`${id}-smoothing`}
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={value.smoothing}
          data-testid="smoothing"
          onChange={(event) => onChange({ ...value, smoothing: Number(event.target.value) })}
        />
        <output className={styles.smoothingValue}>{value.smoothing.toFixed(2)}</output>
      </label>
    </div>
  );
}

/** The chart alone re-renders when the highlighted trial changes, not the card around it. */
function HighlightedLineChart({
  highlight,
  ...props
}: Omit<LineChartProps, "highlightedId" | "onHighlight"> & { highlight: HighlightStore }) {
  const highlighted = useSyncExternalStore(highlight.subscribe, highlight.get, highlight.get);
  return <LineChart {...props} highlightedId={highlighted} onHighlight={highlight.set} />;
}

export const CurvesCard = memo(function CurvesCard({
  studyId,
  task,
  trials,
  objectives,
  states,
  highlight,
}: {
  studyId: string;
  task: string;
  trials: readonly StudyTrial[];
  objectives: readonly ObjectiveSpec[];
  states: ReadonlySet<string>;
  highlight: HighlightStore;
}) {
  const metrics = curveMetrics(task);
  const [controls, setControls] = useState<CurveControls>(() => {
    const objective = objectives.find((entry) => metrics.includes(entry.metric))?.metric;
    const metric = objective ?? "val_loss";
    return { metric, logScale: prefersLogScale(metric), smoothing: 0 };
  });
  const visible = useMemo(() => filterTrials(trials, states), [trials, states]);
  const curves = useTrialCurves(studyId, visible, controls.metric, OVERVIEW_POINTS);
  const colors = useMemo(() => trialColors(trials, objectives[0]), [trials, objectives]);
  const series = useMemo<LineSeries[]>(
    () =>
      visible.map((trial, index) => ({
        id: trial.id,
        label: `#${trial.number}`,
        points: curves.points[index] ?? NO_POINTS,
        color: colors.get(trial.id),
      })),
    [visible, curves.points, colors],
  );
  const loading = curves.loaded < visible.length;
  const pointCount = series.reduce((sum, entry) => sum + entry.points.length, 0);
  const lastStep = series.reduce(
    (last, entry) => Math.max(last, entry.points.at(-1)?.step ?? -1),
    -1,
  );

  return (
    <Card
      title="Curves"
      testId="curves-card"
      actions={<CurveToolbar metrics={metrics} value={controls} onChange={setControls} />}
    >
      <p
        className={styles.note}
        data-testid="curves-status"
        data-loaded={curves.loaded}
        data-total={visible.length}
        data-points={pointCount}
        data-last-step={lastStep}
      >
        {loading
          ? `Reading curves: ${curves.loaded} of ${visible.length} trials…`
          : `${visible.length} trials; colour by ${objectives[0]?.metric ?? "result"} (blue best, red worst), running in violet, without a result in grey.`}
      </p>
      {curves.error ? <ErrorNote error={curves.error} /> : null}
      <HighlightedLineChart
        highlight={highlight}
        series={series}
        ariaLabel={`${controls.metric} of ${visible.length} trials by step`}
        height={340}
        logScale={controls.logScale}
        smoothing={controls.smoothing}
        yLabel={controls.metric}
        testId="study-curves"
      />
    </Card>
  );
});
