"use client";
// The runner processes that train every team's trials: who is connected, on what, how busy, and
// when each was last heard from. Read again every few seconds; ages tick every second.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Card, DataTable, Empty, PageHeader, QueryState } from "~/components/ui.tsx";
import { formatAge, formatTime, plural } from "~/lib/format.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { useNow } from "~/lib/use-now.ts";
import styles from "./runners.module.css";
import { SystemHealthCard } from "./system-health.tsx";

type Runner = RouterOutputs["runners"]["list"][number];

const POLL_MS = 3_000;

export function RunnersView() {
  const trpc = useTRPC();
  const runners = useQuery({
    ...trpc.runners.list.queryOptions({ limit: 200 }),
    refetchInterval: POLL_MS,
  });
  const [showGone, setShowGone] = useState(false);
  const now = useNow();
  const all = runners.data ?? [];
  const alive = all.filter((runner) => runner.alive);
  const shown = showGone ? all : alive;
  // A CPU runner on plain wasm or cpu has usually missed OpenBLAS or the addon's build.
  const slow = alive.filter((runner) => runner.backend === "wasm" || runner.backend === "cpu");
  const training = alive.reduce((sum, runner) => sum + runner.currentTrials, 0);
  const slots = alive.reduce((sum, runner) => sum + runner.capacity, 0);

  return (
    <>
      <PageHeader
        title="Runners"
        subtitle={
          <>
            The processes that train trials for every team. Start one with{" "}
            <code>npm run runner</code>.
          </>
        }
      />
      <Card
        title={
          runners.data
            ? `${plural(alive.length, "runner")} connected · ${training} of ${plural(slots, "slot")} training`
            : "Runners"
        }
        actions={
          all.length > alive.length && (
            <label className="row">
              <input
                type="checkbox"
                checked={showGone}
                onChange={(event) => setShowGone(event.target.checked)}
              />
              Show {plural(all.length - alive.length, "runner")} no longer connected
            </label>
          )
        }
      >
        {slow.length > 0 && (
          <p className="notice" role="status" data-testid="slow-runners">
            {plural(slow.length, "runner")} {slow.length === 1 ? "trains" : "train"} on{" "}
            {[...new Set(slow.map((runner) => runner.backend))].join(" or ")}, several times slower
            than the native kernels: the Backend column says why.
          </p>
        )}
        <QueryState query={runners} loading="Loading runners…">
          {() =>
            shown.length === 0 ? (
              <Empty>
                {all.length === 0
                  ? "No runner has registered yet. One appears here within seconds of starting."
                  : "No runner is connected now. Trials wait in the queue until one starts."}
              </Empty>
            ) : (
              <DataTable
                caption="Runners"
                testId="runners"
                head={
                  <>
                    <th>Name</th>
                    <th>Host</th>
                    <th>Backend</th>
                    <th>Device</th>
                    <th className="num">Trials now</th>
                    <th>Status</th>
                    <th>Last heartbeat</th>
                    <th>Started</th>
                  </>
                }
              >
                {shown.map((runner) => (
                  <RunnerRow key={runner.id} runner={runner} now={now} />
                ))}
              </DataTable>
            )
          }
        </QueryState>
        {runners.data && (
          <p className="muted small">
            A runner that has not sent a heartbeat for 30 s counts as gone; its trials resume on
            another. Refreshes every {POLL_MS / 1000} s.
          </p>
        )}
      </Card>
      <SystemHealthCard />
    </>
  );
}

function RunnerRow({ runner, now }: { runner: Runner; now: number }) {
  const status = runner.alive ? runner.status : "gone";
  return (
    <tr data-testid="runner-row">
      <td>{runner.name}</td>
      <td>
        {runner.host} <span className="muted">pid {runner.pid}</span>
      </td>
      <td className={styles.backend}>
        {runner.backend}
        {runner.backendReason && (
          <div className="muted small" data-testid="runner-backend-reason">
            {runner.backendReason}
          </div>
        )}
      </td>
      <td>
        {runner.device} <span className="muted">· {plural(runner.cores, "core")}</span>
      </td>
      <td className="num" data-testid="runner-trials">
        <span className={styles.load}>
          <meter min={0} max={runner.capacity} value={runner.currentTrials} aria-hidden="true" />
          {runner.currentTrials} / {runner.capacity}
        </span>
        {runner.currentStrategyRuns > 0 && (
          <span className="muted"> + {plural(runner.currentStrategyRuns, "strategy run")}</span>
        )}
      </td>
      <td>
        <span className={`badge ${runner.alive ? "badge-ok" : "badge-degraded"}`}>{status}</span>
      </td>
      <td title={formatTime(runner.lastHeartbeatAt)}>{formatAge(runner.lastHeartbeatAt, now)}</td>
      <td title={formatTime(runner.startedAt)}>{formatAge(runner.startedAt, now)}</td>
    </tr>
  );
}
