"use client";
// Metric curves drawn with uPlot (fast for long series and many of them): hover focuses the
// nearest curve and reports it, log scale and smoothing are options, and the chart follows its
// container's width. The focused curve is drawn on a canvas of its own over the chart, under a
// veil that fades the rest, so focusing one of 500 curves redraws one curve, not 500.
import { useEffect, useMemo, useRef, useState } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { alignSeries, type LineSeries, seriesColor, seriesExtent } from "../lib/curves.ts";
import { formatAxisValue, formatNumber } from "../lib/format.ts";

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

/** More curves than this, and hover shows no dot on each curve (one DOM node per curve). */
const MAX_CURSOR_POINTS = 20;

/** Draws curve `index` of the plot (0 is the x column), or nothing, on `overlay`. */
function paintFocus(plot: uPlot, overlay: HTMLCanvasElement, index: number | null, color: string) {
  const width = plot.over.clientWidth;
  const height = plot.over.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  if (
    overlay.width !== Math.round(width * ratio) ||
    overlay.height !== Math.round(height * ratio)
  ) {
    overlay.width = Math.round(width * ratio);
    overlay.height = Math.round(height * ratio);
    overlay.style.width = `${width}px`;
    overlay.style.height = `${height}px`;
  }
  const context = overlay.getContext("2d");
  if (!context) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const ys = index === null ? undefined : plot.data[index];
  if (!ys) return;
  context.fillStyle = "rgba(255, 255, 255, 0.7)";
  context.fillRect(0, 0, width, height);
  const xs = plot.data[0];
  context.beginPath();
  let drawing = false;
  for (let i = 0; i < xs.length; i++) {
    const value = ys[i];
    if (value === null || value === undefined) continue;
    const x = plot.valToPos(xs[i] as number, "x");
    const y = plot.valToPos(value, "y");
    if (drawing) context.lineTo(x, y);
    else context.moveTo(x, y);
    drawing = true;
  }
  context.strokeStyle = color;
  context.lineWidth = 2.5;
  context.lineJoin = "round";
  context.stroke();
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
  // The focused curve's uPlot index, and how to draw it, once the chart is built.
  const focusIndex = useRef<number | null>(null);
  const paint = useRef<((plot: uPlot) => void) | null>(null);
  const onHighlightRef = useRef(onHighlight);
  onHighlightRef.current = onHighlight;
  const [readout, setReadout] = useState<Readout | null>(null);
  // What the chart is built from once uPlot has loaded, which may be after later renders.
  const latest = useRef({ series, smoothing });
  latest.current = { series, smoothing };
  // Read while drawing, so a series' colour can change without building the chart again.
  const colors = useRef<string[]>([]);
  colors.current = series.map((entry, position) => entry.color ?? seriesColor(position));
  // Rebuilt when the set of series or the scale changes; new points alone only replace the data.
  const shape = `${logScale}|${series.map((entry) => entry.id).join(",")}`;
  // On the figure for tests, which cannot read the canvas: how many points, up to which step.
  const extent = useMemo(() => seriesExtent(series), [series]);

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
      const overlay = document.createElement("canvas");
      overlay.className = "line-chart-focus";
      Object.assign(overlay.style, {
        position: "absolute",
        left: "0",
        top: "0",
        pointerEvents: "none",
      });
      const repaint = (u: uPlot) =>
        paintFocus(
          u,
          overlay,
          focusIndex.current,
          colors.current[(focusIndex.current ?? 1) - 1] ?? seriesColor(0),
        );
      const plot = new UPlot(
        {
          width: element.clientWidth || 600,
          height,
          legend: { show: false },
          cursor: {
            focus: { prox: 24 },
            drag: { x: true, y: false },
            points: { show: series.length <= MAX_CURSOR_POINTS },
            // A curve without a point at the hovered step (thinned, or evaluated less often) is
            // read at its nearest point instead.
            hover: { skip: [null, undefined] },
          },
          // The chart itself never fades curves (that would redraw every one); see paintFocus.
          focus: { alpha: 1 },
          scales: { x: { time: false }, y: { distr: logScale ? 3 : 1 } },
          axes: [
            { label: xLabel, stroke: "#6b6b70", grid: { stroke: "#eeeeec" } },
            {
              label: yLabel,
              stroke: "#6b6b70",
              grid: { stroke: "#eeeeec" },
              size: 60,
              // Compact, so that a large value (tokens/s in the 100,000s) fits the axis.
              values: (_u: uPlot, splits: number[]) => splits.map(formatAxisValue),
            },
          ],
          series: [
            {},
            ...series.map((entry, position) => ({
              label: entry.label,
              stroke: (_u: uPlot, index: number) =>
                colors.current[index - 1] ?? seriesColor(position),
              width: 1.5,
              spanGaps: true,
              points: { show: false },
            })),
          ],
          hooks: {
            ready: [(u: uPlot) => u.over.appendChild(overlay)],
            // After every redraw (new data, zoom, resize) the focused curve moves with the rest.
            draw: [repaint],
            setSeries: [
              (u: uPlot, index: number | null) => {
                focused = index;
                focusIndex.current = index;
                repaint(u);
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
                const at = u.cursor.idxs?.[focused] ?? index;
                setReadout({
                  label: labels[focused - 1] ?? "",
                  step: u.data[0][at] as number,
                  value: u.data[focused]?.[at] ?? null,
                });
              },
            ],
          },
        },
        [steps, ...columns],
        element,
      );
      chart.current = plot;
      paint.current = repaint;
      resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
      resize.observe(element);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
      paint.current = null;
      focusIndex.current = null;
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
    const next = index < 0 ? null : index + 1;
    if (next === focusIndex.current) return;
    focusIndex.current = next;
    paint.current?.(plot);
  }, [highlightedId, series]);

  return (
    <figure
      className="line-chart"
      data-testid={testId}
      data-series={series.length}
      data-points={extent.points}
      data-last-step={extent.lastStep ?? undefined}
    >
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
