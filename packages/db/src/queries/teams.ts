// Teams, their members and invitations, and the API keys users hold for a team.
import { and, asc, desc, eq, getTableColumns, gt, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import {
  apiKeys,
  type invitationStatus,
  type TeamRole,
  teamInvitations,
  teamMembers,
  teams,
  users,
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

export async function renameTeam(db: Executor, id: string, name: string): Promise<Team> {
  const rows = await db.update(teams).set({ name }).where(eq(teams.id, id)).returning();
  return single(rows, `no team ${id}`);
}

export interface MemberView extends TeamMember {
  name: string;
  email: string;
}

/** The team's members with their names and e-mail addresses, owner first, then by name. */
export async function listMembers(db: Executor, teamId: string): Promise<MemberView[]> {
  return db
    .select({ ...getTableColumns(teamMembers), name: users.name, email: users.email })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(sql`${teamMembers.role} = 'owner' desc`, asc(users.name), asc(users.id));
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

export async function getInvitation(db: Executor, id: string): Promise<TeamInvitation | undefined> {
  const [row] = await db.select().from(teamInvitations).where(eq(teamInvitations.id, id));
  return row;
}

/**
 * Settles a pending invitation (accepted, rejected or canceled). Undefined when it is no longer
 * pending, so that of an accept and a revoke racing each other exactly one wins.
 */
export async function settleInvitation(
  db: Executor,
  id: string,
  status: Exclude<InvitationStatus, "pending">,
): Promise<TeamInvitation | undefined> {
  const [row] = await db
    .update(teamInvitations)
    .set({ status })
    .where(and(eq(teamInvitations.id, id), eq(teamInvitations.status, "pending")))
    .returning();
  return row;
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

/** What came of presenting an API key; see spendApiKeyRequest. */
export type ApiKeyUse =
  | { outcome: "accepted"; key: ApiKeySummary }
  | { outcome: "unknown" | "revoked" | "expired" }
  | { outcome: "rate-limited"; retryAfterMs: number };

/**
 * Checks the key with this hash and counts one request against its rate limit, in one statement
 * so that concurrent requests on any number of web instances count exactly. The rule is the one
 * @better-auth/api-key applies to these columns: at most rateLimitMax requests while each comes
 * within rateLimitTimeWindow milliseconds of the last accepted one; a quiet window starts the
 * count afresh. A key without a window or maximum, or with rateLimitEnabled off, is not limited.
 */
export async function spendApiKeyRequest(db: Executor, keyHash: string): Promise<ApiKeyUse> {
  const windowStart = sql`now() - ${apiKeys.rateLimitTimeWindow} * interval '1 millisecond'`;
  const windowOver = or(isNull(apiKeys.lastRequest), lte(apiKeys.lastRequest, windowStart));
  const [key] = await db
    .update(apiKeys)
    .set({
      requestCount: sql`case when ${windowOver} then 1 else ${apiKeys.requestCount} + 1 end`,
      lastRequest: sql`now()`,
    })
    .where(
      and(
        eq(apiKeys.key, keyHash),
        eq(apiKeys.enabled, true),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)),
        or(
          eq(apiKeys.rateLimitEnabled, false),
          isNull(apiKeys.rateLimitMax),
          isNull(apiKeys.rateLimitTimeWindow),
          windowOver,
          lt(apiKeys.requestCount, apiKeys.rateLimitMax),
        ),
      ),
    )
    .returning(apiKeySummaryColumns);
  if (key) return { outcome: "accepted", key };

  // Refused: read why, with the database's clock as the statement above used it.
  const standing = await readApiKeyStanding(db, keyHash);
  if (standing.outcome !== "accepted") return standing;
  const [limited] = await db
    .select({
      retryAfterMs: sql<number>`greatest(0, ceil(extract(epoch from ${apiKeys.lastRequest} - (${windowStart})) * 1000))::int`,
    })
    .from(apiKeys)
    .where(eq(apiKeys.key, keyHash));
  return { outcome: "rate-limited", retryAfterMs: limited?.retryAfterMs ?? 0 };
}

/** Whether a key can be used at all, rate limit aside; see readApiKeyStanding. */
export type ApiKeyStanding = Exclude<ApiKeyUse, { outcome: "rate-limited" }>;

/**
 * Whether the key with this hash is known, enabled and unexpired, without counting a request: for
 * checking again, while a stream it opened is still sending, that it has not been revoked.
 */
export async function readApiKeyStanding(db: Executor, keyHash: string): Promise<ApiKeyStanding> {
  const [row] = await db
    .select({
      key: apiKeySummaryColumns,
      expired: sql<boolean>`coalesce(${apiKeys.expiresAt} <= now(), false)`,
    })
    .from(apiKeys)
    .where(eq(apiKeys.key, keyHash));
  if (!row) return { outcome: "unknown" };
  if (!row.key.enabled) return { outcome: "revoked" };
  if (row.expired) return { outcome: "expired" };
  return { outcome: "accepted", key: row.key };
}
