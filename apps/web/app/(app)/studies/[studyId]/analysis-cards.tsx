"use client";
// What the finished trials say: parameters against the objective (parallel coordinates), how much
// each parameter mattered (PED-ANOVA importance) and, with two or more objectives, the trade-off
// between them (the Pareto front).
import type { StudySpec } from "@attune/core/spec";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { memo, type ReactNode, useMemo, useState } from "react";
import { Card, Empty, ErrorNote, Loading } from "~/components/ui.tsx";
import { formatNumber } from "~/lib/format.ts";
import {
  type AxisParam,
  GOOD_TO_BAD,
  NO_VALUE_COLOR,
  parallelCoordinatesOption,
} from "~/lib/parallel-coordinates.ts";
import type { ObjectiveSpec } from "~/lib/trial-table.ts";
import { errorCode, useTRPC } from "~/lib/trpc.tsx";
import styles from "./study.module.css";
import type { StudyTrial, useParetoFront } from "./study-data.ts";

// ECharts is most of the page's script: loaded after the table and curves, not before them.
const EChart = dynamic(() => import("~/components/echart.tsx").then((module) => module.EChart), {
  ssr: false,
  loading: () => <Loading label="Loading the chart…" />,
});

/** The trials whose results the analyses read, and a key that changes only when those do. */
function useFinished(trials: readonly StudyTrial[]) {
  const signature = trials
    .filter((trial) => trial.values !== null)
    .map((trial) => `${trial.id}:${trial.values?.join(",")}`)
    .join(";");
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed only when results change.
  return useMemo(() => trials.filter((trial) => trial.values !== null), [signature]);
}

/** Picks the trial a chart item names (its data item's name is the trial id). */
function pickHandler(onPick: (trialId: string | null) => void) {
  return {
    click: (event: unknown) => {
      const name = (event as { name?: unknown }).name;
      if (typeof name === "string") onPick(name);
    },
  };
}

export const ParallelCard = memo(function ParallelCard({
  spec,
  trials,
  parameters,
  onPick,
}: {
  spec: StudySpec;
  trials: readonly StudyTrial[];
  parameters: readonly string[];
  onPick: (trialId: string | null) => void;
}) {
  const finished = useFinished(trials);
  const option = useMemo(
    () =>
      parallelCoordinatesOption({
        searchSpace: spec.searchSpace as Record<string, AxisParam>,
        parameters,
        objectives: spec.objectives,
        trials: finished,
      }),
    [spec, parameters, finished],
  );
  const events = useMemo(() => pickHandler(onPick), [onPick]);
  const drawn = option.series.reduce((count, series) => count + series.data.length, 0);
  return (
    <Card title="Parameters against the objective" testId="parallel-card">
      {drawn === 0 ? (
        <Empty>No trial has a result yet.</Empty>
      ) : (
        <>
          <p className={styles.note}>
            {drawn} trials with results; drag along an axis to keep a range. Click a line to
            highlight its trial. Grey dashed lines broke a constraint.
          </p>
          <EChart
            option={option}
            ariaLabel={`Parallel coordinates of ${drawn} trials' parameters and objectives`}
            height={380}
            onEvents={events}
            testId="parallel-chart"
          />
        </>
      )}
    </Card>
  );
});

export const ImportanceCard = memo(function ImportanceCard({
  studyId,
  objectives,
  trials,
}: {
  studyId: string;
  objectives: readonly ObjectiveSpec[];
  trials: readonly StudyTrial[];
}) {
  const trpc = useTRPC();
  const [objective, setObjective] = useState(0);
  const completed = trials.filter((trial) => trial.state === "completed").length;
  const importance = useQuery({
    ...trpc.analysis.importance.queryOptions({ studyId, objective }),
    enabled: completed >= 2,
  });
  const option = useMemo(() => {
    const entries = Object.entries(importance.data ?? {}).sort(([, a], [, b]) => a - b);
    return {
      animation: false,
      grid: { left: 110, right: 40, top: 10, bottom: 30 },
      tooltip: {
        trigger: "axis",
        valueFormatter: (value: number) => `${(value * 100).toFixed(1)}%`,
      },
      xAxis: {
        type: "value",
        max: 1,
        axisLabel: { formatter: (value: number) => `${value * 100}%` },
      },
      yAxis: { type: "category", data: entries.map(([name]) => name) },
      series: [
        {
          type: "bar",
          data: entries.map(([, value]) => value),
          itemStyle: { color: GOOD_TO_BAD[0] },
          label: {
            show: true,
            position: "right",
            formatter: ({ value }: { value: number }) => `${(value * 100).toFixed(0)}%`,
          },
        },
      ],
    };
  }, [importance.data]);

  let body: ReactNode;
  if (completed < 2) {
    body = <Empty>Importance needs at least two completed trials.</Empty>;
  } else if (importance.error) {
    body =
      errorCode(importance.error) === "PRECONDITION_FAILED" ? (
        <Empty>{importance.error.message}</Empty>
      ) : (
        <ErrorNote error={importance.error} />
      );
  } else if (!importance.data) {
    body = <Loading />;
  } else {
    const count = Object.keys(importance.data).length;
    body = (
      <EChart
        option={option}
        ariaLabel={`Importance of ${count} parameters to ${objectives[objective]?.metric}`}
        height={Math.max(160, 28 * count + 40)}
        testId="importance-chart"
      />
    );
  }
  return (
    <Card
      title="Parameter importance"
      testId="importance-card"
      actions={
        objectives.length > 1 ? (
          <select
            aria-label="Objective"
            value={objective}
            onChange={(event) => setObjective(Number(event.target.value))}
          >
            {objectives.map((entry, index) => (
              <option key={entry.metric} value={index}>
                {entry.metric}
              </option>
            ))}
          </select>
        ) : undefined
      }
    >
      <p className={styles.note}>
        How much each parameter's values among the best 10% of trials differ from all trials
        (PED-ANOVA).
      </p>
      {body}
    </Card>
  );
});

export const ParetoCard = memo(function ParetoCard({
  front,
  trials,
  objectives,
  onPick,
}: {
  front: ReturnType<typeof useParetoFront>;
  trials: readonly StudyTrial[];
  objectives: readonly ObjectiveSpec[];
  onPick: (trialId: string | null) => void;
}) {
  const finished = useFinished(trials);
  const [x, y] = objectives;
  const option = useMemo(() => {
    const onFront = new Set(front.data?.trials.map((trial) => trial.trialId));
    const point = (trial: StudyTrial) => ({
      name: trial.id,
      value: [trial.values?.[0], trial.values?.[1], trial.number],
    });
    const frontPoints = finished
      .filter((trial) => onFront.has(trial.id))
      .sort((a, b) => (a.values?.[0] as number) - (b.values?.[0] as number));
    const axis = (objective: ObjectiveSpec | undefined) => ({
      type: "value",
      scale: true,
      name: objective ? `${objective.metric} (${objective.direction})` : "",
      nameLocation: "middle",
      nameGap: 36,
    });
    return {
      animation: false,
      grid: { left: 70, right: 20, top: 30, bottom: 50 },
      legend: { top: 0 },
      tooltip: {
        trigger: "item",
        formatter: ({ value }: { value: number[] }) =>
          `trial #${value[2]}<br/>${x?.metric} ${formatNumber(value[0])}<br/>${y?.metric} ${formatNumber(value[1])}`,
      },
      xAxis: axis(x),
      yAxis: { ...axis(y), nameGap: 56 },
      series: [
        {
          name: "trials",
          type: "scatter",
          symbolSize: 6,
          itemStyle: { color: NO_VALUE_COLOR, opacity: 0.7 },
          data: finished.filter((trial) => !onFront.has(trial.id)).map(point),
        },
        {
          name: "Pareto front",
          type: "scatter",
          symbolSize: 10,
          itemStyle: { color: GOOD_TO_BAD[0] },
          data: frontPoints.map(point),
        },
      ],
    };
  }, [finished, front.data, x, y]);
  const events = useMemo(() => pickHandler(onPick), [onPick]);

  let body: ReactNode;
  if (finished.length === 0) body = <Empty>No trial has a result yet.</Empty>;
  else if (front.error) body = <ErrorNote error={front.error} />;
  else if (!front.data) body = <Loading />;
  else {
    body = (
      <>
        <p className={styles.note} data-testid="pareto-count">
          {front.data.trials.length} of {finished.length} trials are on the front: none of the
          others is better on every objective.
          {objectives.length > 2
            ? ` Showing the first two of ${objectives.length} objectives.`
            : ""}
        </p>
        <EChart
          option={option}
          ariaLabel={`${x?.metric} against ${y?.metric}, with the Pareto front marked`}
          height={340}
          onEvents={events}
          testId="pareto-chart"
        />
      </>
    );
  }
  return (
    <Card title="Pareto front" testId="pareto-card">
      {body}
    </Card>
  );
});
