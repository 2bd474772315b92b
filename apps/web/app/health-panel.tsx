"use client";

import type { Health } from "@attune/db";
import { useEffect, useState } from "react";
import { formatAge } from "../lib/format.ts";
import { useNow } from "../lib/use-now.ts";

/** Health as it arrives over JSON: timestamps are strings. */
type Runner = Omit<Health["runners"][number], "lastHeartbeatAt"> & { lastHeartbeatAt: string };
type HealthJson = Omit<Health, "runners"> & { runners: Runner[] };

interface Snapshot {
  health: HealthJson;
  /** Browser time when it arrived, to age server timestamps without trusting the browser's clock. */
  receivedAt: number;
}

const POLL_MS = 5_000;

export function HealthPanel() {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const now = useNow();

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        // A 503 still carries the health JSON, with the reason in `error`.
        const response = await fetch("/api/health", { cache: "no-store" });
        const health = (await response.json()) as HealthJson;
        if (!cancelled) {
          setSnapshot({ health, receivedAt: Date.now() });
          setFetchError(null);
        }
      } catch (error) {
        if (!cancelled) setFetchError(error instanceof Error ? error.message : String(error));
      } finally {
        if (!cancelled) timer = setTimeout(poll, POLL_MS);
      }
    }
    void poll();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);

  const health = snapshot?.health;
  // Shown for a part the last answer could not check (the database was unreachable).
  const unknown = health ? "unknown" : "…";
  const status = fetchError ? "unreachable" : (health?.status ?? "checking");

  return (
    <section className="panel" data-testid="health-panel" aria-labelledby="health-title">
      <div className="panel-head">
        <h2 id="health-title">System health</h2>
        <span className={`badge badge-${status}`} data-testid="health-status">
          {status}
        </span>
      </div>

      {fetchError && (
        <p className="error" data-testid="health-fetch-error">
          Cannot reach the web server: {fetchError}
        </p>
      )}
      {health?.error && (
        <p className="error" data-testid="health-error">
          {health.error}
        </p>
      )}

      <dl className="facts">
        <dt>Database</dt>
        <dd data-testid="health-database" className={tone(health?.database === "ok", health)}>
          {health?.database ?? "…"}
        </dd>

        <dt>Migrations</dt>
        <dd data-testid="health-migrations" className={tone(health?.migrations?.current, health)}>
          {health?.migrations
            ? `${health.migrations.applied}/${health.migrations.expected} applied${
                health.migrations.current ? "" : " (out of date)"
              }`
            : unknown}
        </dd>

        <dt>Queue</dt>
        <dd data-testid="health-queue" className={tone(health?.queue?.reachable, health)}>
          {health?.queue
            ? health.queue.reachable
              ? `ok (${health.queue.queues} ${health.queue.queues === 1 ? "queue" : "queues"})`
              : `unavailable${health.queue.error ? `: ${health.queue.error}` : ""}`
            : unknown}
        </dd>
      </dl>

      <h3>Runners seen</h3>
      {snapshot && <RunnerList snapshot={snapshot} now={now} />}

      <p className="muted small" data-testid="health-checked-at">
        {snapshot
          ? `Checked ${age(snapshot, snapshot.health.checkedAt, now)}; refreshes every ${POLL_MS / 1000} s.`
          : "Checking…"}
      </p>
    </section>
  );
}

function RunnerList({ snapshot, now }: { snapshot: Snapshot; now: number }) {
  const { health } = snapshot;
  if (health.database !== "ok") {
    return (
      <p className="muted" data-testid="health-runners-unknown">
        Unknown while the database is unreachable.
      </p>
    );
  }
  if (health.runners.length === 0) {
    return (
      <p className="muted" data-testid="health-runners-empty">
        No runner has registered yet.
      </p>
    );
  }
  return (
    <table className="runners" data-testid="health-runners">
      <thead>
        <tr>
          <th>Name</th>
          <th>Host</th>
          <th>Backend</th>
          <th>Alive</th>
          <th>Last heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {health.runners.map((runner) => (
          <tr key={runner.id} data-testid="health-runner">
            <td data-testid="runner-name">{runner.name}</td>
            <td data-testid="runner-host">{runner.host}</td>
            <td data-testid="runner-backend">{runner.backend}</td>
            <td data-testid="runner-alive" className={runner.alive ? "good" : "bad"}>
              {runner.alive ? "yes" : "no"}
            </td>
            <td data-testid="runner-heartbeat" title={runner.lastHeartbeatAt}>
              {age(snapshot, runner.lastHeartbeatAt, now)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function tone(good: boolean | undefined, health: HealthJson | undefined): string {
  if (!health) return "";
  return good ? "good" : "bad";
}

/**
 * How long ago `at` was, as "12 s ago". Measured against the server's `checkedAt` plus the time
 * since the answer arrived, so a browser with a wrong clock still shows the right age.
 */
function age({ health, receivedAt }: Snapshot, at: string, now: number): string {
  return formatAge(at, Date.parse(health.checkedAt) + (now - receivedAt));
}
