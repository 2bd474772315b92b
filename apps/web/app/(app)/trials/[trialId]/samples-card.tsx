"use client";
// What an instruction or dialogue trial generated at an evaluation, beside the reference each was
// scored against: what a score of the task metrics means, in words. The latest evaluation unless
// the reader picks another; read again while the trial trains.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Card, Empty, ErrorNote, Loading, TableScroll } from "~/components/ui.tsx";
import { formatNumber } from "~/lib/format.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import styles from "./trial.module.css";

export function SamplesCard({
  trialId,
  live,
  refetchIntervalMs,
}: {
  trialId: string;
  live: boolean;
  refetchIntervalMs: number;
}) {
  const trpc = useTRPC();
  const [chosenStep, setChosenStep] = useState<number | undefined>(undefined);
  const samples = useQuery({
    ...trpc.trials.samples.queryOptions({ trialId, step: chosenStep }),
    refetchInterval: live && chosenStep === undefined ? refetchIntervalMs : false,
  });
  const data = samples.data;
  return (
    <Card title="Generated samples" testId="trial-samples">
      {samples.error ? (
        <ErrorNote error={samples.error} what="trial" />
      ) : samples.isPending || !data ? (
        <Loading label="Loading samples…" />
      ) : data.step === null ? (
        <Empty>No samples yet: the trial keeps a few completions at each evaluation.</Empty>
      ) : (
        <>
          <label className={styles.sampleStep}>
            Evaluation at step{" "}
            <select
              value={chosenStep ?? ""}
              onChange={(event) =>
                setChosenStep(event.target.value === "" ? undefined : Number(event.target.value))
              }
            >
              <option value="">latest ({formatNumber(data.steps[0] ?? data.step)})</option>
              {data.steps.map((step) => (
                <option key={step} value={step}>
                  {formatNumber(step)}
                </option>
              ))}
            </select>
          </label>
          <TableScroll label="Generated completions beside their references">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Prompt</th>
                  <th scope="col">Reference</th>
                  <th scope="col">Generated</th>
                </tr>
              </thead>
              <tbody>
                {data.samples.map((sample) => (
                  <tr key={sample.position} data-testid="generation-sample">
                    <td className={styles.sampleText}>{sample.prompt}</td>
                    <td className={styles.sampleText}>{sample.reference}</td>
                    <td
                      className={styles.sampleText}
                      data-match={sample.generated.trim() === sample.reference.trim()}
                    >
                      {sample.generated}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </Card>
  );
}
