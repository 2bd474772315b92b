"use client";
// ECharts is most of a page's script: charts load it after what the page shows first.
import dynamic from "next/dynamic";
import { Loading } from "./ui.tsx";

export const LazyEChart = dynamic(() => import("./echart.tsx").then((module) => module.EChart), {
  ssr: false,
  loading: () => <Loading label="Loading the chart…" />,
});
