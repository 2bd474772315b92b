"use client";
// Invitations by link: an admin invites an address with a role, copies the link, or revokes it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState, useSyncExternalStore } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { CopyField } from "~/components/copy-button.tsx";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Card, ErrorNote, QueryState } from "~/components/ui.tsx";
import { formatTime } from "~/lib/format.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { ASSIGNABLE_ROLES, type AssignableRole } from "./roles.ts";
import styles from "./settings.module.css";

/** This site's origin, for links to copy; empty while rendering on the server. */
function useOrigin(): string {
  return useSyncExternalStore(
    () => () => {},
    () => window.location.origin,
    () => "",
  );
}

export function InvitationsCard({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const origin = useOrigin();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<AssignableRole>("member");
  const invitations = useQuery(trpc.invitations.list.queryOptions({ teamId }));
  const refresh = () =>
    queryClient.invalidateQueries(trpc.invitations.list.queryFilter({ teamId }));
  const create = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: async () => {
        setEmail("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSuccess: async (revoked) => {
        // The link just shown no longer works.
        if (revoked.id === create.data?.invitation.id) create.reset();
        await refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ teamId, email: email.trim(), role });
  }

  return (
    <Card title="Invitations" testId="invitations">
      <form className={`row ${styles.inlineForm}`} onSubmit={submit}>
        <TextField
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          required
          maxLength={254}
          placeholder="teammate@example.com"
        />
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(event) => setRole(event.target.value as AssignableRole)}>
            {ASSIGNABLE_ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
        <SubmitButton pending={create.isPending} pendingLabel="Inviting…" disabled={!email.trim()}>
          Invite
        </SubmitButton>
      </form>
      {create.error && <ErrorNote error={create.error} />}
      {create.data && (
        <div className="notice stack" data-testid="new-invitation">
          <span>
            Invited {create.data.invitation.email} as {create.data.invitation.role}. If mail is not
            set up here, send them this link; it works for 7 days.
          </span>
          <CopyField
            value={create.data.link}
            label="Invitation link"
            copyLabel="Copy link"
            testId="invitation-link"
          />
        </div>
      )}
      <h3 className={styles.subhead}>Pending</h3>
      <QueryState query={invitations} empty={<p className="muted">No pending invitations.</p>}>
        {(data) => (
          <ul className={styles.list}>
            {data.map((invitation) => (
              <li key={invitation.id} data-testid="invitation-row">
                <div className="row">
                  <strong>{invitation.email}</strong>
                  <span className="badge">{invitation.role}</span>
                  <span className="muted">expires {formatTime(invitation.expiresAt)}</span>
                  <ConfirmButton
                    small
                    question={`Revoke the invitation of ${invitation.email}?`}
                    confirmLabel="Revoke"
                    pending={revoke.isPending}
                    onConfirm={() => revoke.mutate({ teamId, invitationId: invitation.id })}
                  >
                    Revoke
                  </ConfirmButton>
                </div>
                {origin && (
                  <CopyField
                    value={`${origin}/invitations/${encodeURIComponent(invitation.id)}`}
                    label={`Invitation link for ${invitation.email}`}
                    copyLabel="Copy link"
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      {revoke.error && <ErrorNote error={revoke.error} />}
    </Card>
  );
}
