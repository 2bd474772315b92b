"use client";
// A project: its name and description, its datasets (with adding one), its models, its studies and
// its strategy runs. Members edit; viewers read.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextAreaField, TextField } from "~/components/form.tsx";
import {
  Card,
  type Crumb,
  DataTable,
  Empty,
  ErrorNote,
  Loading,
  PageError,
  PageHeader,
  QueryState,
  teamCrumbs,
} from "~/components/ui.tsx";
import { formatAge, formatCount } from "~/lib/format.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { formatBytes } from "~/lib/upload.ts";
import { AddDataset } from "./add-dataset.tsx";
import { ModelsCard } from "./models-card.tsx";
import styles from "./project.module.css";
import { StrategyRunsCard } from "./strategy-runs-card.tsx";
import { StudiesCard } from "./studies-card.tsx";

type Project = RouterOutputs["projects"]["get"];
type Dataset = RouterOutputs["datasets"]["list"][number];

export function ProjectView({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const { team, teamError, canEdit } = useTeamScope(project.data?.teamId);
  const crumbs = [...teamCrumbs(project.data?.teamId, team), { label: project.data?.name ?? "…" }];

  const error = project.error ?? teamError;
  if (error) {
    return <PageError title="Project" crumbs={crumbs} error={error} what="project" />;
  }
  // The role decides which controls show: wait for it rather than flash the wrong ones.
  if (!project.data || !team) return <Loading />;
  return (
    <>
      <ProjectHeader project={project.data} canEdit={canEdit} crumbs={crumbs} />
      <div className="stack">
        <DatasetsCard projectId={projectId} canEdit={canEdit} />
        <ModelsCard projectId={projectId} canEdit={canEdit} />
        <StudiesCard projectId={projectId} canEdit={canEdit} />
        <StrategyRunsCard projectId={projectId} />
      </div>
    </>
  );
}

function ProjectHeader({
  project,
  canEdit,
  crumbs,
}: {
  project: Project;
  canEdit: boolean;
  crumbs: Crumb[];
}) {
  const [editing, setEditing] = useState(false);
  return (
    <>
      <PageHeader
        title={project.name}
        subtitle={project.description || (canEdit ? "No description yet." : undefined)}
        crumbs={crumbs}
        actions={
          canEdit &&
          !editing && (
            <button type="button" className="button secondary" onClick={() => setEditing(true)}>
              Edit project
            </button>
          )
        }
      />
      {editing && <EditProject project={project} onDone={() => setEditing(false)} />}
    </>
  );
}

function EditProject({ project, onDone }: { project: Project; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const update = useMutation(
    trpc.projects.update.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries(trpc.projects.get.queryFilter({ projectId: project.id })),
          queryClient.invalidateQueries(trpc.projects.list.queryFilter({ teamId: project.teamId })),
        ]);
        onDone();
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ projectId: project.id, name: name.trim(), description: description.trim() });
  }
  return (
    <Card className={styles.edit}>
      <form className="stack" onSubmit={submit}>
        <TextField label="Project name" value={name} onChange={setName} required maxLength={100} />
        <TextAreaField
          label="Description"
          value={description}
          onChange={setDescription}
          maxLength={2000}
          rows={3}
        />
        {update.error && <ErrorNote error={update.error} />}
        <div className="row">
          <SubmitButton pending={update.isPending} pendingLabel="Saving…" disabled={!name.trim()}>
            Save
          </SubmitButton>
          <button type="button" className="button ghost" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

function DatasetsCard({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const datasets = useQuery(trpc.datasets.list.queryOptions({ projectId }));
  return (
    <Card title="Datasets" testId="datasets">
      <QueryState
        query={datasets}
        loading="Loading datasets…"
        empty={
          <Empty>
            No datasets yet.
            {canEdit
              ? " Upload a text, JSONL or CSV file, or add a built-in corpus below."
              : " A member of the team can add one."}
          </Empty>
        }
      >
        {(data) => <DatasetTable projectId={projectId} datasets={data} />}
      </QueryState>
      {canEdit && <AddDataset projectId={projectId} />}
    </Card>
  );
}

function DatasetTable({ projectId, datasets }: { projectId: string; datasets: Dataset[] }) {
  return (
    <DataTable
      caption="The project's datasets"
      head={
        <>
          <th>Name</th>
          <th>Source</th>
          <th>Tokenizer</th>
          <th className="num">Samples</th>
          <th className="num">Tokens</th>
          <th className="num">Vocabulary</th>
          <th className="num">Size</th>
          <th>Added</th>
        </>
      }
    >
      {datasets.map((dataset) => (
        <tr key={dataset.id} data-testid="dataset-row">
          <td>
            <Link href={`/projects/${projectId}/datasets/${dataset.id}`}>{dataset.name}</Link>
          </td>
          <td>
            {dataset.source === "builtin" ? "built-in" : "upload"}:{" "}
            <span className="muted">{dataset.origin}</span>
          </td>
          <td>{dataset.tokenizer}</td>
          <td className="num">{formatCount(dataset.statistics?.samples)}</td>
          <td className="num">{formatCount(dataset.statistics?.tokens)}</td>
          <td className="num">{formatCount(dataset.statistics?.vocabularySize)}</td>
          <td className="num">
            {dataset.source === "builtin" ? "–" : formatBytes(dataset.sizeBytes)}
          </td>
          <td>{formatAge(dataset.createdAt)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
