"use client";
// A project's strategy runs (LR range tests, batch-size and sequence-length searches) and their results.
import { useQuery } from "@tanstack/react-query";
import { CostNote } from "~/components/cost-note.tsx";
import { Card, DataTable, Empty, QueryState, StateBadge } from "~/components/ui.tsx";
import { formatAge } from "~/lib/format.ts";
import {
  batchSizeCost,
  strategyKindLabel,
  strategyResultSummary,
  strategyRunModel,
} from "~/lib/project-lists.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { pricingFor, useRunnerSpeed } from "~/lib/use-pricing.ts";
import { POLL_MS } from "./poll.ts";
import styles from "./project.module.css";

export function StrategyRunsCard({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const runs = useQuery({
    ...trpc.strategies.list.queryOptions({ projectId }),
    refetchInterval: (query) =>
      query.state.data?.some((run) => run.status === "queued" || run.status === "running")
        ? POLL_MS
        : false,
  });
  const datasets = useQuery(trpc.datasets.list.queryOptions({ projectId }));
  const datasetById = new Map(datasets.data?.map((dataset) => [dataset.id, dataset]));
  const speed = useRunnerSpeed(projectId);
  const costOf = (run: { datasetId: string } & Parameters<typeof batchSizeCost>[0]) => {
    const pricing = pricingFor(datasetById.get(run.datasetId), speed);
    return pricing && batchSizeCost(run, pricing);
  };
  return (
    <Card title="Strategy runs" testId="strategy-runs">
      <QueryState
        query={runs}
        loading="Loading strategy runs…"
        empty={
          <Empty>
            No strategy runs yet. LR range tests and batch-size searches started from the new-study
            page appear here.
          </Empty>
        }
      >
        {(data) => (
          <DataTable
            caption="LR range tests and batch-size searches"
            head={
              <>
                <th>Strategy</th>
                <th>Dataset</th>
                <th>Status</th>
                <th>Result</th>
                <th>Started</th>
              </>
            }
          >
            {data.map((run) => (
              <tr key={run.id} data-testid="strategy-run-row">
                <td>
                  {strategyKindLabel(run.kind)}
                  {strategyRunModel(run) && (
                    <span className="muted"> from the model {strategyRunModel(run)}</span>
                  )}
                </td>
                <td>{datasetById.get(run.datasetId)?.name ?? "–"}</td>
                <td>
                  <StateBadge state={run.status} />
                </td>
                <td className={styles.result}>
                  {strategyResultSummary(run)}
                  <CostNote advice={costOf(run)} />
                </td>
                <td>{formatAge(run.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
    </Card>
  );
}
