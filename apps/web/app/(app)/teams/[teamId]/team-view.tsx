"use client";
// A team's projects, and a form to start one for its members.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextAreaField, TextField } from "~/components/form.tsx";
import {
  Card,
  Empty,
  ErrorNote,
  Loading,
  PageError,
  PageHeader,
  QueryState,
} from "~/components/ui.tsx";
import { formatAge } from "~/lib/format.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { useTRPC } from "~/lib/trpc.tsx";
import styles from "./team.module.css";

export function TeamView({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const { team, teamError, canEdit } = useTeamScope(teamId);
  const projects = useQuery(trpc.projects.list.queryOptions({ teamId }));

  if (teamError) {
    return (
      <PageError
        title="Team"
        crumbs={[{ label: "Teams", href: "/teams" }]}
        error={teamError}
        what="team"
      />
    );
  }

  // The role decides which controls show: wait for it rather than flash the wrong ones.
  if (!team) return <Loading />;
  return (
    <>
      <PageHeader
        title={team.name}
        subtitle={`Your role: ${team.role}`}
        crumbs={[{ label: "Teams", href: "/teams" }, { label: team.name }]}
        actions={
          <Link className="button secondary" href={`/teams/${teamId}/settings`}>
            Team settings
          </Link>
        }
      />
      <div className={styles.layout}>
        <Card title="Projects">
          <QueryState
            query={projects}
            empty={
              <Empty>
                No projects yet.
                {canEdit
                  ? " Create one to add datasets and run studies."
                  : " A member of the team can create one."}
              </Empty>
            }
          >
            {(data) => (
              <ul className={styles.projects}>
                {data.map((project) => (
                  <li key={project.id} data-testid="project-item">
                    <Link href={`/projects/${project.id}`} className={styles.projectName}>
                      {project.name}
                    </Link>
                    {project.description && (
                      <p className={styles.description}>{project.description}</p>
                    )}
                    <p className={styles.meta}>Created {formatAge(project.createdAt)}</p>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </Card>
        {canEdit && (
          <Card title="New project">
            <CreateProjectForm teamId={teamId} />
          </Card>
        )}
      </div>
    </>
  );
}

function CreateProjectForm({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async (project) => {
        await queryClient.invalidateQueries(trpc.projects.list.queryFilter({ teamId }));
        router.push(`/projects/${project.id}`);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ teamId, name: name.trim(), description: description.trim() || undefined });
  }

  return (
    <form className="stack" onSubmit={submit}>
      <TextField
        label="Project name"
        value={name}
        onChange={setName}
        required
        maxLength={100}
        placeholder="char-level Moby Dick"
      />
      <TextAreaField
        label="Description (optional)"
        value={description}
        onChange={setDescription}
        maxLength={2000}
        rows={3}
      />
      {create.error && <ErrorNote error={create.error} />}
      <div className="row">
        <SubmitButton pending={create.isPending} pendingLabel="Creating…" disabled={!name.trim()}>
          Create project
        </SubmitButton>
      </div>
    </form>
  );
}
