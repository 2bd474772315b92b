"use client";
// Metric curves drawn with uPlot (fast for long series and many of them): hover focuses the
// nearest curve and reports it, log scale and smoothing are options, and the chart follows its
// container's width.
import { useEffect, useRef, useState } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { alignSeries, type LineSeries, seriesColor } from "../lib/curves.ts";
import { formatNumber } from "../lib/format.ts";

export type { CurvePoint, LineSeries } from "../lib/curves.ts";

export interface LineChartProps {
  series: readonly LineSeries[];
  /** What the chart shows, for screen readers. */
  ariaLabel: string;
  height?: number;
  logScale?: boolean;
  /** 0 (raw) to 0.99 (smoothest). */
  smoothing?: number;
  /** A series to emphasise, e.g. the row under the pointer in a table. */
  highlightedId?: string | null;
  /** Told which series the pointer is over, or null when it leaves. */
  onHighlight?: (id: string | null) => void;
  xLabel?: string;
  yLabel?: string;
  testId?: string;
}

interface Readout {
  label: string;
  step: number;
  value: number | null;
}

export function LineChart({
  series,
  ariaLabel,
  height = 280,
  logScale = false,
  smoothing = 0,
  highlightedId = null,
  onHighlight,
  xLabel = "step",
  yLabel,
  testId,
}: LineChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const onHighlightRef = useRef(onHighlight);
  onHighlightRef.current = onHighlight;
  const [readout, setReadout] = useState<Readout | null>(null);
  // What the chart is built from once uPlot has loaded, which may be after later renders.
  const latest = useRef({ series, smoothing });
  latest.current = { series, smoothing };
  // Rebuilt when the set of series or the scale changes; new points alone only replace the data.
  const shape = `${logScale}|${series.map((entry) => entry.id).join(",")}`;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` stands for the series' ids.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let disposed = false;
    let resize: ResizeObserver | undefined;
    void import("uplot").then(({ default: UPlot }) => {
      if (disposed) return;
      const { series, smoothing } = latest.current;
      const { steps, columns } = alignSeries(series, { smoothing, logScale });
      const ids = series.map((entry) => entry.id);
      const labels = series.map((entry) => entry.label);
      // uPlot's index of the curve under the pointer (0 is the x column).
      let focused: number | null = null;
      const plot = new UPlot(
        {
          width: element.clientWidth || 600,
          height,
          legend: { show: false },
          cursor: { focus: { prox: 24 }, drag: { x: true, y: false } },
          focus: { alpha: 0.25 },
          scales: { x: { time: false }, y: { distr: logScale ? 3 : 1 } },
          axes: [
            { label: xLabel, stroke: "#6b6b70", grid: { stroke: "#eeeeec" } },
            { label: yLabel, stroke: "#6b6b70", grid: { stroke: "#eeeeec" }, size: 60 },
          ],
          series: [
            {},
            ...series.map((entry, position) => ({
              label: entry.label,
              stroke: seriesColor(position),
              width: 1.5,
              spanGaps: true,
              points: { show: false },
            })),
          ],
          hooks: {
            setSeries: [
              (_u: uPlot, index: number | null) => {
                focused = index;
                onHighlightRef.current?.(index === null ? null : (ids[index - 1] ?? null));
              },
            ],
            setCursor: [
              (u: uPlot) => {
                const index = u.cursor.idx;
                if (index === null || index === undefined || focused === null || focused < 1) {
                  setReadout(null);
                  return;
                }
                const value = u.data[focused]?.[index];
                setReadout({
                  label: labels[focused - 1] ?? "",
                  step: u.data[0][index] as number,
                  value: value ?? null,
                });
              },
            ],
          },
        },
        [steps, ...columns],
        element,
      );
      chart.current = plot;
      resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
      resize.observe(element);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [shape, height, xLabel, yLabel]);

  // New points for the same series: only the data changes, so zoom and focus survive.
  useEffect(() => {
    const plot = chart.current;
    if (!plot || plot.series.length !== series.length + 1) return;
    const { steps, columns } = alignSeries(series, { smoothing, logScale });
    plot.setData([steps, ...columns]);
  }, [series, smoothing, logScale]);

  useEffect(() => {
    const plot = chart.current;
    if (!plot) return;
    const index = highlightedId ? series.findIndex((entry) => entry.id === highlightedId) : -1;
    plot.setSeries(index < 0 ? null : index + 1, { focus: true }, false);
  }, [highlightedId, series]);

  return (
    <figure className="line-chart" data-testid={testId} data-series={series.length}>
      <div ref={container} role="img" aria-label={ariaLabel} />
      <figcaption className="chart-readout muted" aria-live="off">
        {readout
          ? `${readout.label} · ${xLabel} ${readout.step} · ${formatNumber(readout.value)}`
          : series.length === 0
            ? "No points yet."
            : "Hover a curve to read it; drag to zoom, double-click to reset."}
      </figcaption>
    </figure>
  );
}
