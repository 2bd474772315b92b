"use client";
// The runner that trains the trial now, or trained it last.
import Link from "next/link";
import { Card, Empty } from "~/components/ui.tsx";
import { formatAge, formatTime } from "~/lib/format.ts";
import type { TrialView } from "~/lib/trial-timeline.ts";
import styles from "./trial.module.css";

export function RunnerCard({ trial }: { trial: TrialView }) {
  const { runner } = trial;
  return (
    <Card
      title="Runner"
      testId="trial-runner"
      actions={
        <Link href="/runners" className="button ghost small">
          All runners
        </Link>
      }
    >
      {runner ? (
        <dl className="facts">
          <dt>Name</dt>
          <dd data-testid="runner-name">{runner.name}</dd>
          <dt>Host</dt>
          <dd>
            {runner.host} (process {runner.pid})
          </dd>
          <dt>Backend</dt>
          <dd>
            {runner.backend}
            {runner.backendReason && (
              <details className={styles.reason}>
                <summary>Why this backend</summary>
                {runner.backendReason}
              </details>
            )}
          </dd>
          <dt>Device</dt>
          <dd>
            {runner.device} · {runner.cores} cores · {runner.capacity} trial
            {runner.capacity === 1 ? "" : "s"} at once
          </dd>
          <dt>Status</dt>
          <dd>
            <span className={runner.alive ? "good" : "bad"}>
              {runner.alive
                ? "connected"
                : runner.status === "offline"
                  ? "stopped"
                  : "not heartbeating"}
            </span>
            <span className="muted" title={formatTime(runner.lastHeartbeatAt)}>
              {" "}
              · last heartbeat {formatAge(runner.lastHeartbeatAt)}
            </span>
          </dd>
        </dl>
      ) : (
        <Empty>
          {trial.startedAt
            ? "No runner holds this trial now: the one that trained it let it go or is no longer registered."
            : "No runner has taken this trial yet."}
        </Empty>
      )}
    </Card>
  );
}
