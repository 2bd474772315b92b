"use client";
// An LR range test from the new-study page: queued as a strategy run that a runner executes,
// watched until it finishes, its loss drawn against the learning rate on a log axis, and its
// suggested bounds applied to the form's learning rate.
import { type LrRangeResult, narrowLrBounds } from "@attune/core/spec";
import { useMutation, useQuery } from "@tanstack/react-query";
import { LineChart as EchartsLine } from "echarts/charts";
import { MarkAreaComponent, MarkLineComponent } from "echarts/components";
import { use as registerEcharts } from "echarts/core";
import { useMemo, useState } from "react";
import { EChart, type EChartsCoreOption } from "~/components/echart.tsx";
import { TextField } from "~/components/form.tsx";
import { ErrorNote, StateBadge } from "~/components/ui.tsx";
import { formatDuration, formatNumber } from "~/lib/format.ts";
import { roundLr } from "~/lib/study-form/form-edits.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { useNow } from "~/lib/use-now.ts";
import styles from "./new-study.module.css";

// The shared chart component registers the chart kinds other pages use; this one also draws lines.
registerEcharts([EchartsLine, MarkLineComponent, MarkAreaComponent]);

type Dataset = RouterOutputs["datasets"]["list"][number];
type StrategyRun = RouterOutputs["strategies"]["get"];

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** The stored result, as the runner wrote it (a NaN loss is null in JSON). */
type StoredLrRangeResult = Omit<LrRangeResult, "curve"> & {
  curve: { lr: number; loss: number | null; smoothedLoss: number | null }[];
};

function lrResult(run: StrategyRun | undefined): StoredLrRangeResult | undefined {
  const result = run?.result as StoredLrRangeResult | null | undefined;
  return result && Array.isArray(result.curve) ? result : undefined;
}

export function LrRangeTestPanel({
  projectId,
  datasets,
  datasetName,
  trialSettings,
  seed,
  canEdit,
  onApply,
}: {
  projectId: string;
  datasets: readonly Dataset[];
  /** The form's dataset, the test's default. */
  datasetName: string;
  /** The study's fixed settings the test trains with. */
  trialSettings: Record<string, number | string | boolean>;
  seed: number | undefined;
  canEdit: boolean;
  onApply: (bounds: { low: number; high: number }) => void;
}) {
  const trpc = useTRPC();
  const [datasetId, setDatasetId] = useState("");
  const [minLr, setMinLr] = useState("0.00001");
  const [maxLr, setMaxLr] = useState("1");
  const [steps, setSteps] = useState("100");
  const [runId, setRunId] = useState<string | null>(null);
  const [applied, setApplied] = useState(false);

  // Follow the form's dataset until one is picked here.
  const formDataset = datasets.find(
    (dataset) => dataset.name === datasetName || dataset.id === datasetName,
  );
  const chosen = datasets.find((dataset) => dataset.id === datasetId) ?? formDataset ?? datasets[0];

  const create = useMutation(
    trpc.strategies.create.mutationOptions({
      onSuccess: (run) => {
        setRunId(run.id);
        setApplied(false);
      },
    }),
  );
  const run = useQuery({
    ...trpc.strategies.get.queryOptions({ projectId, strategyRunId: runId ?? "" }),
    enabled: runId !== null,
    refetchInterval: (query) =>
      query.state.data && FINISHED.has(query.state.data.status) ? false : 1000,
  });

  const status = run.data?.status;
  const result = status === "completed" ? lrResult(run.data) : undefined;
  // The bounds depend only on the suggested LR, not on the curve.
  const bounds = result ? narrowLrBounds({ ...result, curve: [] }) : undefined;

  const start = () => {
    if (!chosen) return;
    create.mutate({
      datasetId: chosen.id,
      kind: "lr-range-test",
      options: { minLr: Number(minLr), maxLr: Number(maxLr), steps: Number(steps) },
      trial: trialSettings,
      ...(seed === undefined ? {} : { seed }),
    });
  };
  const running = runId !== null && (status === undefined || !FINISHED.has(status));

  return (
    <div data-testid="lr-range-test">
      <p className={`muted ${styles.panelIntro}`}>
        One short run that raises the learning rate exponentially and records the loss; a runner
        trains it with the study's fixed settings. Its suggestion narrows the learning-rate range.
      </p>
      <div className={styles.optionGrid}>
        <label className="field">
          <span>Dataset</span>
          <select
            aria-label="LR range test dataset"
            value={chosen?.id ?? ""}
            onChange={(event) => setDatasetId(event.target.value)}
            disabled={!canEdit || datasets.length === 0}
          >
            {datasets.map((dataset) => (
              <option key={dataset.id} value={dataset.id}>
                {dataset.name}
              </option>
            ))}
          </select>
        </label>
        <TextField
          label="From LR"
          inputMode="decimal"
          aria-label="LR range test from"
          value={minLr}
          onChange={setMinLr}
          disabled={!canEdit}
        />
        <TextField
          label="To LR"
          inputMode="decimal"
          aria-label="LR range test to"
          value={maxLr}
          onChange={setMaxLr}
          disabled={!canEdit}
        />
        <TextField
          label="Steps"
          inputMode="numeric"
          aria-label="LR range test steps"
          value={steps}
          onChange={setSteps}
          disabled={!canEdit}
        />
      </div>
      {canEdit && (
        <p className={`row ${styles.panelActions}`}>
          <button
            type="button"
            className="button secondary"
            data-testid="lr-test-run"
            disabled={!chosen || create.isPending || running}
            onClick={start}
          >
            {create.isPending ? "Queuing…" : runId ? "Run again" : "Run LR range test"}
          </button>
          {Object.keys(trialSettings).length > 0 && (
            <span className={`muted ${styles.tinyNote}`}>
              with{" "}
              {Object.entries(trialSettings)
                .map(([name, value]) => `${name} ${value}`)
                .join(", ")}
            </span>
          )}
        </p>
      )}
      {create.error && <ErrorNote error={create.error} />}
      {runId && <RunProgress run={run.data} error={run.error} />}
      {result && bounds && (
        <div data-testid="lr-test-result">
          <LrCurve result={result} bounds={bounds} />
          <dl className={styles.facts}>
            <dt>Suggested LR</dt>
            <dd data-testid="lr-suggested">{formatNumber(result.suggestedLr)}</dd>
            <dt>Steepest descent</dt>
            <dd>{result.steepestLr === undefined ? "–" : formatNumber(result.steepestLr)}</dd>
            <dt>Lowest loss at</dt>
            <dd>{formatNumber(result.minLossLr)}</dd>
            <dt>Suggested bounds</dt>
            <dd data-testid="lr-bounds">
              {roundLr(bounds.low)} to {roundLr(bounds.high)} (log-uniform)
            </dd>
            <dt>Loss diverged</dt>
            <dd>{result.diverged ? "yes, before the last LR" : "no"}</dd>
          </dl>
          {canEdit && (
            <p className="row">
              <button
                type="button"
                className="button"
                data-testid="lr-test-apply"
                onClick={() => {
                  onApply(bounds);
                  setApplied(true);
                }}
              >
                Apply to the learning rate
              </button>
              {applied && (
                <span className="good" role="status">
                  Applied: the learning rate is searched from {roundLr(bounds.low)} to{" "}
                  {roundLr(bounds.high)}.
                </span>
              )}
            </p>
          )}
        </div>
      )}
    </div>
  );
}

function RunProgress({ run, error }: { run: StrategyRun | undefined; error: unknown }) {
  const now = useNow(run === undefined || !FINISHED.has(run.status));
  if (error) return <ErrorNote error={error} what="LR range test" />;
  if (!run) return <p className="loading">Loading the run…</p>;
  const since = (at: Date | string | null) =>
    at ? formatDuration(now - new Date(at).getTime()) : "";
  return (
    <div
      className={styles.panelActions}
      role="status"
      aria-live="polite"
      data-testid="lr-test-status"
    >
      <span className="row">
        <StateBadge state={run.status} />
        <span className={`muted ${styles.panelNote}`}>
          {run.status === "queued" &&
            `Waiting for a runner to pick it up (${since(run.createdAt)})…`}
          {run.status === "running" && `A runner is training it (${since(run.startedAt)})…`}
          {run.status === "completed" &&
            run.startedAt &&
            run.finishedAt &&
            `Took ${formatDuration(new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime())}.`}
          {run.status === "cancelled" && "The run was cancelled."}
        </span>
      </span>
      {run.status === "failed" && (
        <div className="error" role="alert">
          The LR range test failed: {run.error ?? "no reason was recorded"}
        </div>
      )}
      {run.status === "completed" && !lrResult(run) && (
        <div className="error" role="alert">
          The run finished without a curve to show.
        </div>
      )}
    </div>
  );
}

function LrCurve({
  result,
  bounds,
}: {
  result: StoredLrRangeResult;
  bounds: { low: number; high: number };
}) {
  const option = useMemo<EChartsCoreOption>(() => {
    const finite = result.curve
      .map((point) => point.smoothedLoss)
      .filter((value): value is number => value !== null && Number.isFinite(value));
    const best = Math.min(...finite);
    const first = finite[0] ?? best;
    // Past a few times the starting loss the curve only says "diverged"; keep the dip readable.
    const top = Math.min(Math.max(...finite), Math.max(first, best) * 1.5);
    // 1e-5, 1e-4, 0.001, 0.01, 0.1, 1: short labels for the decades of a log axis.
    const lrLabel = (value: number) =>
      value < 1e-3 ? value.toExponential(0) : String(Number(value.toPrecision(2)));
    return {
      animation: false,
      grid: { left: 56, right: 24, top: 44, bottom: 48 },
      legend: { top: 0, data: ["loss", "smoothed loss"] },
      tooltip: {
        trigger: "axis",
        valueFormatter: (value: unknown) => (typeof value === "number" ? formatNumber(value) : "–"),
        axisPointer: {
          label: { formatter: ({ value }: { value: number }) => `lr ${lrLabel(value)}` },
        },
      },
      xAxis: {
        type: "log",
        name: "learning rate (log scale)",
        nameLocation: "middle",
        nameGap: 28,
        axisLabel: { formatter: lrLabel },
      },
      yAxis: { type: "value", name: "loss", scale: true, max: Number(top.toPrecision(3)) },
      series: [
        {
          name: "loss",
          type: "line",
          showSymbol: false,
          color: "#868e96",
          lineStyle: { width: 1, opacity: 0.6 },
          data: result.curve.map((point) => [point.lr, point.loss ?? "-"]),
        },
        {
          name: "smoothed loss",
          type: "line",
          showSymbol: false,
          color: "#3b5bdb",
          lineStyle: { width: 2 },
          data: result.curve.map((point) => [point.lr, point.smoothedLoss ?? "-"]),
          markLine: {
            symbol: "none",
            silent: true,
            lineStyle: { color: "#e8590c", type: "dashed", width: 1.5 },
            label: { formatter: "{b}", position: "end", color: "#e8590c" },
            data: [
              {
                name: `suggested ${formatNumber(result.suggestedLr)}`,
                // On a log axis ECharts places a mark line only at a value given as text.
                xAxis: String(result.suggestedLr),
              },
            ],
          },
          markArea: {
            itemStyle: { color: "rgba(59, 91, 219, 0.08)" },
            data: [[{ xAxis: bounds.low }, { xAxis: bounds.high }]],
          },
        },
      ],
    };
  }, [result, bounds]);
  return (
    <EChart
      option={option}
      height={280}
      ariaLabel={`LR range test: loss against learning rate; suggested learning rate ${formatNumber(result.suggestedLr)}`}
      testId="lr-test-chart"
    />
  );
}
