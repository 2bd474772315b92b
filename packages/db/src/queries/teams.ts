// Teams, their members and invitations, and the API keys users hold for a team.
import { and, asc, desc, eq, getTableColumns } from "drizzle-orm";
import type { Executor } from "../client.ts";
import {
  apiKeys,
  type invitationStatus,
  type TeamRole,
  teamInvitations,
  teamMembers,
  teams,
} from "../schema/index.ts";
import { columnsWithout, single, type WithOptionalId, withId } from "./shared.ts";

export type Team = typeof teams.$inferSelect;
export type NewTeam = WithOptionalId<typeof teams.$inferInsert>;
export type TeamMember = typeof teamMembers.$inferSelect;
export type NewTeamMember = WithOptionalId<typeof teamMembers.$inferInsert>;
export type TeamInvitation = typeof teamInvitations.$inferSelect;
export type NewTeamInvitation = WithOptionalId<typeof teamInvitations.$inferInsert>;
export type InvitationStatus = (typeof invitationStatus.enumValues)[number];
export type ApiKey = typeof apiKeys.$inferSelect;
export type NewApiKey = WithOptionalId<typeof apiKeys.$inferInsert>;
/** An API key as listed to its owner: everything but the stored hash. */
export type ApiKeySummary = Omit<ApiKey, "key">;

/** Creates the team and makes `ownerUserId` its owner, both or neither. */
export async function createTeam(
  db: Executor,
  team: NewTeam,
  ownerUserId: string,
): Promise<{ team: Team; owner: TeamMember }> {
  return db.transaction(async (tx) => {
    const rows = await tx.insert(teams).values(withId(team)).returning();
    const created = single(rows, `creating team ${team.slug} returned no row`);
    const owner = await addMember(tx, { teamId: created.id, userId: ownerUserId, role: "owner" });
    return { team: created, owner };
  });
}

export async function getTeam(db: Executor, id: string): Promise<Team | undefined> {
  const [row] = await db.select().from(teams).where(eq(teams.id, id));
  return row;
}

/** The teams `userId` belongs to, by name, each with the user's role in it. */
export async function listTeamsOfUser(
  db: Executor,
  userId: string,
): Promise<(Team & { role: TeamRole })[]> {
  return db
    .select({ ...getTableColumns(teams), role: teamMembers.role })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(eq(teamMembers.userId, userId))
    .orderBy(asc(teams.name), asc(teams.id));
}

export async function addMember(db: Executor, member: NewTeamMember): Promise<TeamMember> {
  const rows = await db.insert(teamMembers).values(withId(member)).returning();
  return single(rows, `adding user ${member.userId} to team ${member.teamId} returned no row`);
}

function memberOf(teamId: string, userId: string) {
  return and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId));
}

export async function updateMemberRole(
  db: Executor,
  teamId: string,
  userId: string,
  role: TeamRole,
): Promise<TeamMember> {
  const rows = await db
    .update(teamMembers)
    .set({ role })
    .where(memberOf(teamId, userId))
    .returning();
  return single(rows, `user ${userId} is not a member of team ${teamId}`);
}

/** False when the user was not a member. */
export async function removeMember(db: Executor, teamId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(teamMembers)
    .where(memberOf(teamId, userId))
    .returning({ id: teamMembers.id });
  return rows.length > 0;
}

/** The user's role in the team, or undefined when not a member: the basis of every access check. */
export async function getMemberRole(
  db: Executor,
  teamId: string,
  userId: string,
): Promise<TeamRole | undefined> {
  const [row] = await db
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(memberOf(teamId, userId));
  return row?.role;
}

export async function createInvitation(
  db: Executor,
  invitation: NewTeamInvitation,
): Promise<TeamInvitation> {
  const rows = await db.insert(teamInvitations).values(withId(invitation)).returning();
  return single(rows, `inviting ${invitation.email} to team ${invitation.teamId} returned no row`);
}

/** The team's invitations, newest first, optionally only those in `status`. */
export async function listInvitations(
  db: Executor,
  teamId: string,
  status?: InvitationStatus,
): Promise<TeamInvitation[]> {
  return db
    .select()
    .from(teamInvitations)
    .where(
      and(
        eq(teamInvitations.teamId, teamId),
        status ? eq(teamInvitations.status, status) : undefined,
      ),
    )
    .orderBy(desc(teamInvitations.createdAt), asc(teamInvitations.id));
}

export async function updateInvitationStatus(
  db: Executor,
  id: string,
  status: InvitationStatus,
): Promise<TeamInvitation> {
  const rows = await db
    .update(teamInvitations)
    .set({ status })
    .where(eq(teamInvitations.id, id))
    .returning();
  return single(rows, `no invitation ${id}`);
}

const apiKeySummaryColumns = columnsWithout(apiKeys, "key");

/** Returns the key without its hash, as it is listed afterwards. */
export async function createApiKey(db: Executor, key: NewApiKey): Promise<ApiKeySummary> {
  const rows = await db.insert(apiKeys).values(withId(key)).returning(apiKeySummaryColumns);
  return single(
    rows,
    `creating an API key for user ${key.referenceId} in team ${key.teamId} returned no row`,
  );
}

/** A key belongs to one user acting for one team; every key function is scoped to both. */
function keyOf(id: string, userId: string, teamId: string) {
  return and(eq(apiKeys.id, id), eq(apiKeys.referenceId, userId), eq(apiKeys.teamId, teamId));
}

/** The user's keys for the team, newest first, without their hashes. */
export async function listApiKeys(
  db: Executor,
  userId: string,
  teamId: string,
): Promise<ApiKeySummary[]> {
  return db
    .select(apiKeySummaryColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.referenceId, userId), eq(apiKeys.teamId, teamId)))
    .orderBy(desc(apiKeys.createdAt), asc(apiKeys.id));
}

/** Disables the key but keeps its row, so the audit log still names it. False when not found. */
export async function revokeApiKey(
  db: Executor,
  id: string,
  userId: string,
  teamId: string,
): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ enabled: false })
    .where(keyOf(id, userId, teamId))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** False when the user has no such key in the team. */
export async function deleteApiKey(
  db: Executor,
  id: string,
  userId: string,
  teamId: string,
): Promise<boolean> {
  const rows = await db
    .delete(apiKeys)
    .where(keyOf(id, userId, teamId))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
