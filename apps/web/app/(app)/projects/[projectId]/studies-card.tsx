"use client";
// A project's studies: state, best values, trials, age; members start a new one from here.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card, DataTable, Empty, QueryState, StateBadge } from "~/components/ui.tsx";
import { formatAge } from "~/lib/format.ts";
import { bestValuesText } from "~/lib/project-lists.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { POLL_MS } from "./poll.ts";

export function StudiesCard({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const studies = useQuery({
    ...trpc.studies.list.queryOptions({ projectId }),
    // Trial counts and best values move while a study runs.
    refetchInterval: (query) =>
      query.state.data?.some((study) => study.status === "running") ? POLL_MS : false,
  });
  return (
    <Card
      title="Studies"
      testId="studies"
      actions={
        canEdit && (
          <Link className="button" href={`/projects/${projectId}/studies/new`}>
            New study
          </Link>
        )
      }
    >
      <QueryState
        query={studies}
        loading="Loading studies…"
        empty={
          <Empty>
            No studies yet.
            {canEdit && (
              <>
                {" "}
                A study searches hyperparameters and architectures on one of the datasets:{" "}
                <Link href={`/projects/${projectId}/studies/new`} data-testid="first-study">
                  start the first one
                </Link>{" "}
                from a small preset that trains in minutes.
              </>
            )}
          </Empty>
        }
      >
        {(data) => (
          <DataTable
            caption="The project's studies"
            head={
              <>
                <th>Name</th>
                <th>Status</th>
                <th className="num">Trials done</th>
                <th className="num">Running</th>
                <th>Best</th>
                <th>Created</th>
              </>
            }
          >
            {data.map((study) => (
              <tr key={study.id} data-testid="study-row">
                <td>
                  <Link href={`/studies/${study.id}`}>{study.name}</Link>
                </td>
                <td>
                  <StateBadge state={study.status} />
                </td>
                <td className="num">
                  {study.trialCounts.completed} / {study.trialCounts.total}
                </td>
                <td className="num">{study.trialCounts.running}</td>
                <td>{bestValuesText(study.spec, study.bestValues)}</td>
                <td>{formatAge(study.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
    </Card>
  );
}
