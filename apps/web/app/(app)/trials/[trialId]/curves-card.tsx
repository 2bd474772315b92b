"use client";
// The trial's curves as small multiples: training and validation loss together, learning rate,
// throughput, gradient norm, for a growing batch the batch with the noise scale it follows, and
// for instruction and dialogue trials the scores of their generated text, each on its own scale.
import { type CSSProperties, useState } from "react";
import { LineChart, type LineSeries } from "~/components/line-chart.tsx";
import { Card, Empty, ErrorNote, Loading } from "~/components/ui.tsx";
import { seriesColor } from "~/lib/curves.ts";
import type { RouterOutputs } from "~/lib/trpc.tsx";
import styles from "./trial.module.css";

type Curves = RouterOutputs["trials"]["curves"];

interface ChartDefinition {
  id: string;
  title: string;
  /** Metric keys with the label of their curve. */
  curves: readonly (readonly [key: string, label: string])[];
  /** Whether the log-scale switch applies. */
  loggable?: boolean;
  /** Only some trials report it: shown when they do. */
  optional?: boolean;
}

const CHARTS: readonly ChartDefinition[] = [
  {
    id: "loss",
    title: "Loss",
    curves: [
      ["train_loss", "training"],
      ["val_loss", "validation"],
    ],
    loggable: true,
  },
  { id: "lr", title: "Learning rate", curves: [["lr", "learning rate"]] },
  { id: "throughput", title: "Tokens per second", curves: [["tokens_per_s", "tokens/s"]] },
  {
    id: "grad-norm",
    title: "Gradient norm (before clipping)",
    curves: [["grad_norm", "gradient norm"]],
  },
  {
    id: "batch",
    title: "Batch size (sequences per step)",
    curves: [
      ["effective_batch_size", "batch"],
      ["noise_scale", "noise scale"],
    ],
    optional: true,
  },
  {
    id: "text-scores",
    title: "Generated text: chrF and BLEU (0 to 100)",
    curves: [
      ["chrf", "chrF"],
      ["chrf_pp", "chrF++"],
      ["bleu", "BLEU"],
    ],
    optional: true,
  },
  {
    id: "text-overlap",
    title: "Generated text: match and overlap (0 to 1)",
    curves: [
      ["exact_match", "exact match"],
      ["token_f1", "token F1"],
      ["rouge1", "ROUGE-1"],
      ["rougeL", "ROUGE-L"],
    ],
    optional: true,
  },
];

/** Every key the charts draw. */
export const CURVE_KEYS = CHARTS.flatMap((chart) => chart.curves.map(([key]) => key));

function lastPoint(curves: Curves, key: string) {
  return curves.find((curve) => curve.key === key)?.points.at(-1);
}

/** The value at the latest step of the key's curve. */
export function lastValue(curves: Curves, key: string): number | undefined {
  return lastPoint(curves, key)?.value;
}

/** The latest step of the key's curve. */
export function lastStep(curves: Curves, key: string): number | undefined {
  return lastPoint(curves, key)?.step;
}

export function TrialCurves({
  curves,
  isPending,
  error,
  live,
}: {
  curves: Curves;
  isPending: boolean;
  error: unknown;
  live: boolean;
}) {
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const byKey = new Map(curves.map((curve) => [curve.key, curve.points]));
  const reported = (chart: ChartDefinition) => chart.curves.some(([key]) => byKey.has(key));
  const charts = CHARTS.filter((chart) => !chart.optional || reported(chart));
  const hasPoints = charts.some(reported);

  return (
    <Card
      title="Curves"
      testId="trial-curves"
      actions={
        <>
          {live && (
            <span className="muted" role="status">
              Live: updates every 2 s
            </span>
          )}
          <label className="row">
            <input
              type="checkbox"
              checked={logScale}
              onChange={(event) => setLogScale(event.target.checked)}
            />
            Log-scale loss
          </label>
          <label className="row">
            Smoothing
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={smoothing}
              onChange={(event) => setSmoothing(Number(event.target.value))}
            />
            <output className="muted">{smoothing.toFixed(2)}</output>
          </label>
        </>
      }
    >
      {error ? (
        <ErrorNote error={error} what="trial" />
      ) : isPending ? (
        <Loading label="Loading curves…" />
      ) : !hasPoints ? (
        <Empty>No metrics yet: they appear here as soon as the trial starts training.</Empty>
      ) : (
        <div className={styles.charts}>
          {charts.map((chart) => {
            const series: LineSeries[] = chart.curves
              .filter(([key]) => byKey.has(key))
              .map(([key, label]) => ({ id: key, label, points: byKey.get(key) ?? [] }));
            return (
              <section key={chart.id} className={styles.chart}>
                <h3>{chart.title}</h3>
                {series.length > 1 && (
                  <ul className={styles.legend} aria-label={`${chart.title} curves`}>
                    {series.map((entry, position) => (
                      <li key={entry.id}>
                        <span
                          className={styles.swatch}
                          style={{ "--series-color": seriesColor(position) } as CSSProperties}
                          aria-hidden
                        />
                        {entry.label}
                      </li>
                    ))}
                  </ul>
                )}
                {series.length === 0 ? (
                  <Empty>Not reported yet.</Empty>
                ) : (
                  <LineChart
                    series={series}
                    ariaLabel={`${chart.title} by step`}
                    height={220}
                    logScale={chart.loggable === true && logScale}
                    smoothing={smoothing}
                    testId={`curve-${chart.id}`}
                  />
                )}
              </section>
            );
          })}
        </div>
      )}
    </Card>
  );
}
