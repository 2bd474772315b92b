"use client";
// An LR range test's loss against the learning rate on a log axis, with the suggested rate and the
// bounds it narrows the search to.
import type { LrRangeResult } from "@attune/core/spec";
import { LineChart as EchartsLine } from "echarts/charts";
import { MarkAreaComponent, MarkLineComponent } from "echarts/components";
import { use as registerEcharts } from "echarts/core";
import { useMemo } from "react";
import { EChart, type EChartsCoreOption } from "~/components/echart.tsx";
import { formatNumber } from "~/lib/format.ts";
import type { RouterOutputs } from "~/lib/trpc.tsx";

// The shared chart component registers the chart kinds other pages use; this one also draws lines.
registerEcharts([EchartsLine, MarkLineComponent, MarkAreaComponent]);

export type StrategyRun = RouterOutputs["strategies"]["get"];

/** The stored result, as the runner wrote it (a NaN loss is null in JSON). */
export type StoredLrRangeResult = Omit<LrRangeResult, "curve"> & {
  curve: { lr: number; loss: number | null; smoothedLoss: number | null }[];
};

export function lrResult(run: StrategyRun | undefined): StoredLrRangeResult | undefined {
  const result = run?.result as StoredLrRangeResult | null | undefined;
  return result && Array.isArray(result.curve) ? result : undefined;
}

export function LrCurve({
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
