"use client";
// The system's health in detail, for signed-in users: the database, whether its migrations are
// current for this code, and the job queue (the runners are the page's table). Anyone else gets
// only /api/health's up or down.
import { useQuery } from "@tanstack/react-query";
import { Card, QueryState } from "~/components/ui.tsx";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";

type Health = RouterOutputs["health"]["detail"];

const POLL_MS = 5_000;

export function SystemHealthCard() {
  const trpc = useTRPC();
  const health = useQuery({ ...trpc.health.detail.queryOptions(), refetchInterval: POLL_MS });
  return (
    <Card
      title="System health"
      testId="system-health"
      actions={
        health.data && (
          <span className={`badge badge-${health.data.status}`} data-testid="health-status">
            {health.data.status}
          </span>
        )
      }
    >
      <QueryState query={health} loading="Checking…">
        {(data) => <HealthFacts health={data} />}
      </QueryState>
    </Card>
  );
}

function HealthFacts({ health }: { health: Health }) {
  const { migrations, queue } = health;
  return (
    <>
      {health.error && (
        <p className="error" data-testid="health-error">
          {health.error}
        </p>
      )}
      <dl className="facts">
        <dt>Database</dt>
        <dd data-testid="health-database" className={health.database === "ok" ? "good" : "bad"}>
          {health.database}
        </dd>

        <dt>Migrations</dt>
        <dd data-testid="health-migrations" className={migrations?.current ? "good" : "bad"}>
          {migrations
            ? `${migrations.applied}/${migrations.expected} applied${migrations.current ? "" : " (out of date)"}`
            : "unknown"}
        </dd>

        <dt>Queue</dt>
        <dd data-testid="health-queue" className={queue?.reachable ? "good" : "bad"}>
          {queue
            ? queue.reachable
              ? `ok (${queue.queues} ${queue.queues === 1 ? "queue" : "queues"})`
              : `unavailable${queue.error ? `: ${queue.error}` : ""}`
            : "unknown"}
        </dd>
      </dl>
    </>
  );
}
