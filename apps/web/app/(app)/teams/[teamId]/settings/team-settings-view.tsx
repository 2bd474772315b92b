"use client";
import { Loading, PageError, PageHeader, teamCrumbs } from "~/components/ui.tsx";
import { useTeamScope } from "~/lib/team.tsx";
import { ApiKeysCard } from "./api-keys-card.tsx";
import { InvitationsCard } from "./invitations-card.tsx";
import { MembersCard } from "./members-card.tsx";
import styles from "./settings.module.css";
import { TeamCard } from "./team-card.tsx";

export function TeamSettingsView({ teamId }: { teamId: string }) {
  const { team, teamError, canManage, isOwner } = useTeamScope(teamId);
  const crumbs = [...teamCrumbs(teamId, team), { label: "Settings" }];
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
