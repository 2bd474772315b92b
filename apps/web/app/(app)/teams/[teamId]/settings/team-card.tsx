"use client";
// The team's slug and creation date, and its name, which owners and admins can change.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Card, ErrorNote } from "~/components/ui.tsx";
import { formatTime } from "~/lib/format.ts";
import type { TeamWithRole } from "~/lib/team.tsx";
import { useTRPC } from "~/lib/trpc.tsx";
import styles from "./settings.module.css";

export function TeamCard({ team, canManage }: { team: TeamWithRole; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(team.name);
  const rename = useMutation(
    trpc.teams.rename.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.teams.get.queryFilter({ teamId: team.id })),
          queryClient.invalidateQueries(trpc.teams.list.pathFilter()),
        ]),
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    rename.mutate({ teamId: team.id, name: name.trim() });
  }
  return (
    <Card title="Team">
      <dl className="facts">
        <dt>Slug</dt>
        <dd className="code">{team.slug}</dd>
        <dt>Created</dt>
        <dd>{formatTime(team.createdAt)}</dd>
      </dl>
      {canManage && (
        <form className={`row ${styles.inlineForm}`} onSubmit={submit}>
          <TextField label="Team name" value={name} onChange={setName} required maxLength={100} />
          <SubmitButton
            pending={rename.isPending}
            pendingLabel="Renaming…"
            disabled={!name.trim() || name.trim() === team.name}
          >
            Rename
          </SubmitButton>
        </form>
      )}
      {rename.error && <ErrorNote error={rename.error} />}
    </Card>
  );
}
