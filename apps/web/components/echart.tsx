"use client";
// One ECharts instance per chart (parallel coordinates, scatter, bars, lines), sized to its
// container.
// Only the chart kinds and components we use are registered, to keep the bundle small.
import { BarChart, LineChart, ParallelChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { type ECharts, type EChartsCoreOption, init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

use([
  BarChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type { EChartsCoreOption } from "echarts/core";

export interface EChartProps {
  option: EChartsCoreOption;
  ariaLabel: string;
  height?: number;
  /** Handlers by ECharts event name, e.g. `{ click: (event) => ... }`. */
  onEvents?: Record<string, (event: unknown) => void>;
  testId?: string;
}

export function EChart({ option, ariaLabel, height = 320, onEvents, testId }: EChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: "canvas" });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true, lazyUpdate: true });
  }, [option]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance || !onEvents) return;
    for (const [name, handler] of Object.entries(onEvents)) instance.on(name, handler);
    return () => {
      for (const [name, handler] of Object.entries(onEvents)) instance.off(name, handler);
    };
  }, [onEvents]);

  return (
    <div
      ref={container}
      className="echart"
      style={{ height }}
      role="img"
      aria-label={ariaLabel}
      data-testid={testId}
    />
  );
}
