"use client";
// Where an LR range test's run is: queued, training, done (and how long it took), or why it failed.
import { ErrorNote, StateBadge } from "~/components/ui.tsx";
import { formatDuration } from "~/lib/format.ts";
import { useNow } from "~/lib/use-now.ts";
import { lrResult, type StrategyRun } from "./lr-range-curve.tsx";
import styles from "./new-study.module.css";

export const FINISHED = new Set(["completed", "failed", "cancelled"]);

export function RunProgress({ run, error }: { run: StrategyRun | undefined; error: unknown }) {
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
