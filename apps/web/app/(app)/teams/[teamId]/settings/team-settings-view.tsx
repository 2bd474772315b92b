"use client";
// A team's settings: its name, members and their roles, invitations, ownership, leaving, and the
// signed-in user's API keys for the team. Each section shows only what the user's role may do.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState, useSyncExternalStore } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { CopyField } from "~/components/copy-button.tsx";
import { SubmitButton, TextField } from "~/components/form.tsx";
import {
  Card,
  DataTable,
  Empty,
  ErrorNote,
  Loading,
  PageError,
  PageHeader,
  QueryState,
} from "~/components/ui.tsx";
import { authClient } from "~/lib/auth-client.ts";
import { formatAge, formatTime } from "~/lib/format.ts";
import { type TeamWithRole, useTeamScope } from "~/lib/team.tsx";
import { type RouterInputs, type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import styles from "./settings.module.css";

type AssignableRole = RouterInputs["members"]["setRole"]["role"];

/** The roles an admin can give, with what each may do; ownership changes hands only by a transfer. */
const ROLE_HINTS: Record<AssignableRole, string> = {
  admin: "manages members, invitations and the team",
  member: "creates and runs projects, datasets and studies",
  viewer: "reads everything, changes nothing",
};
const ASSIGNABLE_ROLES = Object.keys(ROLE_HINTS) as AssignableRole[];

type Member = RouterOutputs["members"]["list"][number];

export function TeamSettingsView({ teamId }: { teamId: string }) {
  const { team, teamError, canManage, isOwner } = useTeamScope(teamId);
  const crumbs = [
    { label: "Teams", href: "/teams" },
    { label: team?.name ?? "…", href: `/teams/${teamId}` },
    { label: "Settings" },
  ];
  if (teamError) {
    return <PageError title="Team settings" crumbs={crumbs} error={teamError} what="team" />;
  }
  if (!team) return <Loading />;
  return (
    <>
      <PageHeader
        title={`${team.name} settings`}
        subtitle={`Your role: ${team.role}`}
        crumbs={crumbs}
      />
      <div className={styles.sections}>
        <TeamCard team={team} canManage={canManage} />
        {canManage && <InvitationsCard teamId={teamId} />}
        <MembersCard teamId={teamId} canManage={canManage} isOwner={isOwner} />
        <ApiKeysCard teamId={teamId} />
      </div>
    </>
  );
}

function TeamCard({ team, canManage }: { team: TeamWithRole; canManage: boolean }) {
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

function MembersCard({
  teamId,
  canManage,
  isOwner,
}: {
  teamId: string;
  canManage: boolean;
  isOwner: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const userId = authClient.useSession().data?.user.id;
  const members = useQuery(trpc.members.list.queryOptions({ teamId }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries(trpc.members.list.queryFilter({ teamId })),
      queryClient.invalidateQueries(trpc.teams.get.queryFilter({ teamId })),
    ]);
  const setRole = useMutation(trpc.members.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: refresh }));
  const transfer = useMutation(
    trpc.teams.transferOwnership.mutationOptions({ onSuccess: refresh }),
  );
  const leave = useMutation(
    trpc.teams.leave.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.teams.list.pathFilter());
        router.push("/teams");
      },
    }),
  );
  const error = setRole.error ?? remove.error ?? transfer.error ?? leave.error;

  return (
    <Card title="Members" className={styles.wide}>
      <QueryState query={members}>
        {(data) => (
          <DataTable
            head={
              <>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Joined</th>
                {canManage && <th>Actions</th>}
              </>
            }
          >
            {data.map((member) => (
              <tr key={member.id} data-testid="member-row">
                <td>
                  {member.name}
                  {member.userId === userId && <span className="muted"> (you)</span>}
                </td>
                <td>{member.email}</td>
                <td>
                  {canManage && member.role !== "owner" ? (
                    <select
                      aria-label={`Role of ${member.name}`}
                      value={member.role}
                      disabled={setRole.isPending}
                      onChange={(event) =>
                        setRole.mutate({
                          teamId,
                          userId: member.userId,
                          role: event.target.value as AssignableRole,
                        })
                      }
                    >
                      {ASSIGNABLE_ROLES.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td>{formatAge(member.createdAt)}</td>
                {canManage && (
                  <td>
                    {member.role !== "owner" && member.userId !== userId && (
                      <ConfirmButton
                        small
                        question={`Remove ${member.name} from the team?`}
                        confirmLabel="Remove"
                        pending={remove.isPending}
                        onConfirm={() => remove.mutate({ teamId, userId: member.userId })}
                      >
                        Remove
                      </ConfirmButton>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
      {canManage && (
        <p className="muted small">
          {ASSIGNABLE_ROLES.map((role) => `${role}: ${ROLE_HINTS[role]}`).join(" · ")}
        </p>
      )}
      {error && <ErrorNote error={error} />}
      <div className={styles.footer}>
        {isOwner ? (
          members.data && (
            <TransferOwnership
              candidates={members.data.filter((member) => member.role !== "owner")}
              pending={transfer.isPending}
              onTransfer={(to) => transfer.mutate({ teamId, userId: to })}
            />
          )
        ) : (
          <ConfirmButton
            question="Leave this team? You will need a new invitation to come back."
            confirmLabel="Leave team"
            pending={leave.isPending}
            onConfirm={() => leave.mutate({ teamId })}
          >
            Leave team
          </ConfirmButton>
        )}
      </div>
    </Card>
  );
}

function TransferOwnership({
  candidates,
  pending,
  onTransfer,
}: {
  candidates: Member[];
  pending: boolean;
  onTransfer: (userId: string) => void;
}) {
  const [to, setTo] = useState("");
  const chosen = candidates.find((member) => member.userId === to);
  if (candidates.length === 0) {
    return (
      <p className="muted">
        You own this team. To leave it, invite someone and hand the ownership to them first.
      </p>
    );
  }
  return (
    <div className="row">
      <label className="field">
        <span>Transfer ownership to</span>
        <select value={to} onChange={(event) => setTo(event.target.value)}>
          <option value="">Choose a member…</option>
          {candidates.map((member) => (
            <option key={member.userId} value={member.userId}>
              {member.name} ({member.email})
            </option>
          ))}
        </select>
      </label>
      {chosen && (
        <ConfirmButton
          question={`Make ${chosen.name} the owner? You stay on as an admin.`}
          confirmLabel="Transfer ownership"
          pending={pending}
          onConfirm={() => onTransfer(chosen.userId)}
        >
          Transfer ownership
        </ConfirmButton>
      )}
    </div>
  );
}

/** This site's origin, for links to copy; empty while rendering on the server. */
function useOrigin(): string {
  return useSyncExternalStore(
    () => () => {},
    () => window.location.origin,
    () => "",
  );
}

function InvitationsCard({ teamId }: { teamId: string }) {
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

const KEY_LIFETIMES = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: undefined, label: "Never expires" },
] as const;

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

function keyState(key: ApiKey, now: number): "active" | "revoked" | "expired" {
  if (!key.enabled) return "revoked";
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return "expired";
  return "active";
}

function ApiKeysCard({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [lifetime, setLifetime] = useState(0);
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ teamId }));
  const refresh = () => queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter({ teamId }));
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async () => {
        setName("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));
  const now = Date.now();

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ teamId, name: name.trim(), expiresInDays: KEY_LIFETIMES[lifetime]?.days });
  }

  return (
    <Card title="Your API keys for this team" className={styles.wide}>
      <p className="muted">
        Scripts and the <code>attune</code> command line act as you in this team, with your role,
        through a key.
      </p>
      <form className={`row ${styles.inlineForm}`} onSubmit={submit}>
        <TextField
          label="Key name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          placeholder="laptop scripts"
        />
        <label className="field">
          <span>Expires</span>
          <select value={lifetime} onChange={(event) => setLifetime(Number(event.target.value))}>
            {KEY_LIFETIMES.map((option, index) => (
              <option key={option.label} value={index}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <SubmitButton pending={create.isPending} pendingLabel="Creating…" disabled={!name.trim()}>
          Create key
        </SubmitButton>
      </form>
      {create.error && <ErrorNote error={create.error} />}
      {create.data && (
        <div className="notice stack" data-testid="new-api-key">
          <strong>Copy the key now: it is not shown again.</strong>
          <CopyField
            value={create.data.key}
            label="API key"
            copyLabel="Copy key"
            testId="api-key-secret"
          />
        </div>
      )}
      <QueryState query={keys} empty={<Empty>No keys yet.</Empty>}>
        {(data) => (
          <DataTable
            head={
              <>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>State</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </>
            }
          >
            {data.map((key) => {
              const state = keyState(key, now);
              return (
                <tr key={key.id} data-testid="api-key-row">
                  <td>{key.name}</td>
                  <td className="code">{key.start}…</td>
                  <td>{formatAge(key.createdAt, now)}</td>
                  <td>{key.expiresAt ? formatTime(key.expiresAt) : "never"}</td>
                  <td>{key.lastRequest ? formatAge(key.lastRequest, now) : "never"}</td>
                  <td>
                    <span className={`badge ${state === "active" ? "badge-ok" : ""}`}>{state}</span>
                  </td>
                  <td>
                    {state === "active" && (
                      <ConfirmButton
                        small
                        question={`Revoke ${key.name ?? "this key"}? Scripts using it stop working.`}
                        confirmLabel="Revoke"
                        pending={revoke.isPending}
                        onConfirm={() => revoke.mutate({ teamId, apiKeyId: key.id })}
                      >
                        Revoke
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </QueryState>
      {revoke.error && <ErrorNote error={revoke.error} />}
    </Card>
  );
}
