"use client";
// The sequence length that covers a chosen share of a dataset's samples, rounded as asked, with
// what shorter and longer lengths would cost.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Card, ErrorNote, Loading, TableScroll } from "~/components/ui.tsx";
import { formatShare, withChosenLength } from "~/lib/dataset-stats.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { useSettled } from "~/lib/use-settled.ts";
import styles from "./dataset.module.css";

type Rounding = "multiple-of-8" | "power-of-two";

export function SequenceLength({
  datasetId,
  measurable,
  onLength,
}: {
  datasetId: string;
  measurable: boolean;
  /** The recommended length, when the data decided it. */
  onLength: (length: number | undefined) => void;
}) {
  const trpc = useTRPC();
  const [percentileText, setPercentileText] = useState("95");
  const [rounding, setRounding] = useState<Rounding>("multiple-of-8");
  const typed = Number(percentileText);
  const valid = percentileText.trim() !== "" && typed >= 1 && typed <= 100;
  const percentile = useSettled(valid ? typed : undefined, 300);
  const recommendation = useQuery({
    ...trpc.datasets.recommendSequenceLength.queryOptions({
      datasetId,
      percentile: percentile ?? 95,
      rounding,
    }),
    enabled: percentile !== undefined,
    placeholderData: keepPreviousData,
  });
  const result = recommendation.data;
  const measuredLength = result?.basis === "data" ? result.length : undefined;
  useEffect(() => onLength(measuredLength), [measuredLength, onLength]);
  const rows = useMemo(
    () => (result?.basis === "data" ? withChosenLength(result.table, result) : []),
    [result],
  );

  return (
    <Card title="Sequence length" testId="sequence-length">
      {measurable && (
        <div className={`row ${styles.controls}`}>
          <label className="field">
            <span>Cover this share of samples (%)</span>
            <input
              type="number"
              min={1}
              max={100}
              step="any"
              value={percentileText}
              onChange={(event) => setPercentileText(event.target.value)}
              aria-invalid={!valid}
            />
          </label>
          <fieldset className={`field ${styles.fieldset}`}>
            <legend>Round up to</legend>
            <div className="segmented">
              {(
                [
                  ["multiple-of-8", "a multiple of 8"],
                  ["power-of-two", "a power of two"],
                ] as const
              ).map(([value, label]) => (
                <button
                  key={value}
                  type="button"
                  aria-pressed={rounding === value}
                  onClick={() => setRounding(value)}
                >
                  {label}
                </button>
              ))}
            </div>
          </fieldset>
        </div>
      )}
      {!valid && <p className="error">Give a share between 1 and 100.</p>}
      {recommendation.error ? (
        <ErrorNote error={recommendation.error} />
      ) : !result ? (
        <Loading label="Measuring every sample…" />
      ) : result.basis === "preset" ? (
        <div className={styles.recommendation}>
          <p className={styles.length} data-testid="recommended-length">
            {result.length} <span className="muted">tokens</span>
          </p>
          <p className="muted">
            This dataset is one document, so it has no sample lengths to measure: training cuts it
            into windows of any length. A common starting point: {result.reason}.
          </p>
        </div>
      ) : (
        <div className={styles.recommendation} aria-busy={recommendation.isFetching}>
          <p className={styles.length} data-testid="recommended-length">
            {result.length} <span className="muted">tokens</span>
          </p>
          <p className="muted">
            {formatShare(1 - result.truncationRate)} of samples fit whole (the {percentile}th
            percentile is {result.percentileLength} tokens); {formatShare(result.truncatedTokens)}{" "}
            of all tokens are cut off, and padding fills {formatShare(result.paddingWaste)} of a
            padded batch.
          </p>
          <TableScroll label="What each candidate sequence length costs">
            <table className="data">
              <caption className="visually-hidden">
                What each candidate sequence length costs
              </caption>
              <thead>
                <tr>
                  <th className="num">Length</th>
                  <th className="num">Samples cut</th>
                  <th className="num">Tokens lost</th>
                  <th className="num">Padding</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr
                    key={row.length}
                    className={row.length === result.length ? "highlighted" : ""}
                  >
                    <td className="num">{row.length}</td>
                    <td className="num">{formatShare(row.truncationRate)}</td>
                    <td className="num">{formatShare(row.truncatedTokens)}</td>
                    <td className="num">{formatShare(row.paddingWaste)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      )}
    </Card>
  );
}
