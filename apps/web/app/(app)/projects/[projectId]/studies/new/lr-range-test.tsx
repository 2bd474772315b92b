"use client";
// An LR range test from the new-study page: queued as a strategy run that a runner executes, from
// the study's model when it names one, watched until it finishes, its loss drawn against the
// learning rate on a log axis, and its suggested bounds applied to the form's learning rate.
import { narrowLrBounds } from "@attune/core/spec";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { CostNote } from "~/components/cost-note.tsx";
import { TextField } from "~/components/form.tsx";
import { ErrorNote } from "~/components/ui.tsx";
import { runCost } from "~/lib/cost-advice.ts";
import { formatNumber } from "~/lib/format.ts";
import { roundLr } from "~/lib/study-form/form-edits.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { pricingFor, useRunnerSpeed } from "~/lib/use-pricing.ts";
import { LrCurve, lrResult } from "./lr-range-curve.tsx";
import { FINISHED, RunProgress } from "./lr-range-progress.tsx";
import styles from "./new-study.module.css";

type Dataset = RouterOutputs["datasets"]["list"][number];

export function LrRangeTestPanel({
  projectId,
  datasets,
  datasetName,
  trialSettings,
  model,
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
  /** The project's model the study starts from, by name or id; none: random weights. */
  model: string | undefined;
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
  const pricing = pricingFor(chosen, useRunnerSpeed(projectId));
  const stepCount = Number(steps);
  // Priced by the settings' architecture, which a model replaces with its own.
  const cost =
    model === undefined && pricing && Number.isInteger(stepCount) && stepCount > 0
      ? runCost({ settings: trialSettings, steps: stepCount, pricing })
      : undefined;

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
      ...(model === undefined ? {} : { model }),
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
      <p className={styles.tinyNote} data-testid="lr-test-start">
        {model === undefined ? (
          "It starts from random weights, as the study's trials do."
        ) : (
          <>
            It starts from the model <strong>{model}</strong>, fine-tuned as the study's trials will
            be.
          </>
        )}
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
      {cost && (
        <p className={styles.tinyNote}>
          <CostNote advice={cost} />
        </p>
      )}
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
