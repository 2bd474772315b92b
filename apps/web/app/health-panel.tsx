"use client";

import type { HealthStatus } from "@attune/db";
import Link from "next/link";
import { useEffect, useState } from "react";
import { formatAge } from "../lib/format.ts";
import { useNow } from "../lib/use-now.ts";

interface Snapshot {
  health: HealthStatus;
  /** Browser time when it arrived, to age server timestamps without trusting the browser's clock. */
  receivedAt: number;
}

const POLL_MS = 5_000;

/**
 * Whether the app and its database are up, as /api/health tells anyone. The detail (migrations,
 * the job queue, the runners) is on the runners page, for signed-in users.
 */
export function HealthPanel() {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const now = useNow();

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        // A 503 still carries the status fields.
        const response = await fetch("/api/health", { cache: "no-store" });
        const health = (await response.json()) as HealthStatus;
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

      <dl className="facts">
        <dt>Database</dt>
        <dd data-testid="health-database" className={tone(health?.database === "ok", health)}>
          {health?.database ?? "…"}
        </dd>
      </dl>

      <p className="muted small" data-testid="health-checked-at">
        {snapshot
          ? `Checked ${age(snapshot, now)}; refreshes every ${POLL_MS / 1000} s.`
          : "Checking…"}{" "}
        <Link href="/sign-in?next=/runners">Sign in</Link> for the migrations, the job queue and the
        runners.
      </p>
    </section>
  );
}

function tone(good: boolean | undefined, health: HealthStatus | undefined): string {
  if (!health) return "";
  return good ? "good" : "bad";
}

/**
 * How long ago the server checked, as "12 s ago": its `checkedAt` against the time since the answer
 * arrived, so a browser with a wrong clock still shows the right age.
 */
function age({ health, receivedAt }: Snapshot, now: number): string {
  return formatAge(health.checkedAt, Date.parse(health.checkedAt) + (now - receivedAt));
}
