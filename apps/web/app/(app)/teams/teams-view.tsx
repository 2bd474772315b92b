"use client";
// The signed-in user's teams, and a form to create one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Card, DataTable, Empty, ErrorNote, PageHeader, QueryState } from "~/components/ui.tsx";
import { isValidSlug, SLUG_MAX_LENGTH, slugify } from "~/lib/slug.ts";
import { useCurrentTeamId } from "~/lib/team.tsx";
import { useTRPC } from "~/lib/trpc.tsx";

export function TeamsView() {
  const trpc = useTRPC();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const hasTeams = (teams.data?.length ?? 0) > 0;

  return (
    <>
      <PageHeader title="Teams" subtitle="Projects, studies and API keys belong to a team." />
      <div className="grid">
        <Card title="Your teams">
          <QueryState
            query={teams}
            empty={
              <Empty>
                You are not in a team yet. Create one to start a project, or ask a team's admin to
                invite you.
              </Empty>
            }
          >
            {(data) => (
              <DataTable
                caption="Your teams"
                head={
                  <>
                    <th>Team</th>
                    <th>Slug</th>
                    <th>Your role</th>
                  </>
                }
              >
                {data.map((team) => (
                  <tr key={team.id} data-testid="team-row">
                    <td>
                      <Link href={`/teams/${team.id}`}>{team.name}</Link>
                    </td>
                    <td className="muted">{team.slug}</td>
                    <td>{team.role}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </QueryState>
        </Card>
        <Card title={hasTeams ? "Create another team" : "Create your first team"}>
          <CreateTeamForm />
        </Card>
      </div>
    </>
  );
}

function CreateTeamForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { setTeamId } = useCurrentTeamId();
  const [name, setName] = useState("");
  // Follows the name until the user edits the slug.
  const [customSlug, setCustomSlug] = useState<string | null>(null);
  const slug = customSlug ?? slugify(name);
  const slugOk = isValidSlug(slug);
  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: async (team) => {
        await queryClient.invalidateQueries(trpc.teams.list.pathFilter());
        setTeamId(team.id);
        router.push(`/teams/${team.id}`);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    if (slugOk) create.mutate({ name: name.trim(), slug });
  }

  return (
    <form className="stack" onSubmit={submit}>
      <TextField
        label="Team name"
        value={name}
        onChange={setName}
        required
        maxLength={100}
        placeholder="Language models"
      />
      <TextField
        label="Slug"
        value={slug}
        onChange={setCustomSlug}
        required
        maxLength={SLUG_MAX_LENGTH}
        aria-invalid={slug !== "" && !slugOk}
        className="code"
        hint="Lowercase letters and digits joined by single hyphens; unique across Attune."
      />
      {create.error && <ErrorNote error={create.error} />}
      <div className="row">
        <SubmitButton
          pending={create.isPending}
          pendingLabel="Creating…"
          disabled={!slugOk || !name.trim()}
        >
          Create team
        </SubmitButton>
      </div>
    </form>
  );
}
