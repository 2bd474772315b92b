"use client";
// An invitation as its invitee sees it: which team, which role, from whom; accepting joins the team
// and opens it. Someone signed in with another address is told so, and can switch accounts.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Card, ErrorNote, Loading, PageHeader } from "~/components/ui.tsx";
import { authClient } from "~/lib/auth-client.ts";
import { formatTime } from "~/lib/format.ts";
import { useCurrentTeamId } from "~/lib/team.tsx";
import { errorCode, type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import styles from "./invitation.module.css";

type Invitation = RouterOutputs["invitations"]["get"];

export function InvitationView({ invitationId }: { invitationId: string }) {
  const trpc = useTRPC();
  const invitation = useQuery(trpc.invitations.get.queryOptions({ invitationId }));
  return (
    <div className={styles.narrow}>
      <PageHeader title="Invitation" />
      {invitation.isPending ? (
        <Loading />
      ) : invitation.error ? (
        errorCode(invitation.error) === "NOT_FOUND" ? (
          <NotForYou invitationId={invitationId} />
        ) : (
          <ErrorNote error={invitation.error} what="invitation" />
        )
      ) : (
        <InvitationCard invitation={invitation.data} />
      )}
    </div>
  );
}

function InvitationCard({ invitation }: { invitation: Invitation }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { setTeamId } = useCurrentTeamId();
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess: async (member) => {
        await queryClient.invalidateQueries(trpc.teams.list.pathFilter());
        setTeamId(member.teamId);
        router.push(`/teams/${member.teamId}`);
      },
    }),
  );
  const teamHref = `/teams/${invitation.team.id}`;
  return (
    <Card>
      <p className={styles.lead}>
        {invitation.inviter ? `${invitation.inviter.name} invites you` : "You are invited"} to join{" "}
        <strong>{invitation.team.name}</strong> as <strong>{invitation.role}</strong>.
      </p>
      <dl className="facts">
        <dt>Team</dt>
        <dd>{invitation.team.name}</dd>
        <dt>Role</dt>
        <dd>{invitation.role}</dd>
        {invitation.inviter && (
          <>
            <dt>Invited by</dt>
            <dd>
              {invitation.inviter.name} ({invitation.inviter.email})
            </dd>
          </>
        )}
        <dt>For</dt>
        <dd>{invitation.email}</dd>
        <dt>{invitation.expired ? "Expired" : "Expires"}</dt>
        <dd>{formatTime(invitation.expiresAt)}</dd>
      </dl>
      <div className={styles.outcome}>
        {invitation.memberRole ? (
          <p className="notice">
            You are a member of this team ({invitation.memberRole}).{" "}
            <Link href={teamHref}>Open {invitation.team.name}</Link>
          </p>
        ) : invitation.status !== "pending" ? (
          <p className="error">
            This invitation was {invitation.status === "canceled" ? "revoked" : invitation.status}.
            Ask an admin of the team for a new one.
          </p>
        ) : invitation.expired ? (
          <p className="error">
            This invitation has expired. Ask an admin of the team for a new one.
          </p>
        ) : (
          <div className="row">
            <button
              type="button"
              className="button"
              disabled={accept.isPending}
              onClick={() => accept.mutate({ invitationId: invitation.id })}
            >
              {accept.isPending ? "Joining…" : `Accept and join ${invitation.team.name}`}
            </button>
          </div>
        )}
        {accept.error && <ErrorNote error={accept.error} what="invitation" />}
      </div>
    </Card>
  );
}

function NotForYou({ invitationId }: { invitationId: string }) {
  const router = useRouter();
  const email = authClient.useSession().data?.user.email;
  const back = `/invitations/${encodeURIComponent(invitationId)}`;
  return (
    <Card>
      <p role="alert" className={styles.lead}>
        This invitation does not exist, or it was sent to another address
        {email ? (
          <>
            {" "}
            than <strong>{email}</strong>
          </>
        ) : null}
        .
      </p>
      <p className="muted">
        Sign in with the address the invitation was sent to, or create an account with it.
      </p>
      <div className="row">
        <button
          type="button"
          className="button"
          onClick={async () => {
            await authClient.signOut();
            router.push(`/sign-in?next=${encodeURIComponent(back)}`);
          }}
        >
          Sign in with another account
        </button>
        <Link className="button secondary" href="/teams">
          Go to your teams
        </Link>
      </div>
    </Card>
  );
}
