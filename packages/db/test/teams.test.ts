import { describe, expect, it } from "vitest";
import {
  addMember,
  createApiKey,
  createInvitation,
  createTeam,
  deleteApiKey,
  getMemberRole,
  getTeam,
  listApiKeys,
  listInvitations,
  listTeamsOfUser,
  removeMember,
  revokeApiKey,
  updateInvitationStatus,
  updateMemberRole,
} from "../src/queries/teams.ts";
import { seedTeam, seedUser, uniqueName } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

describe("teams", () => {
  it("are created with their owner's membership", async () => {
    const owner = await seedUser(test.db);
    const input = { id: uniqueName("t"), name: "Zeta", slug: uniqueName("zeta"), logo: "z.png" };
    const { team, owner: membership } = await createTeam(test.db, input, owner.id);
    expect(team).toMatchObject({ ...input, metadata: null });
    expect(membership).toMatchObject({ teamId: team.id, userId: owner.id, role: "owner" });
    expect(await getTeam(test.db, team.id)).toEqual(team);
    expect(await getMemberRole(test.db, team.id, owner.id)).toBe("owner");
  });

  it("are not created when the owner cannot be added", async () => {
    const id = uniqueName("t");
    await expect(
      createTeam(test.db, { id, name: "Orphan", slug: uniqueName("orphan") }, "no-such-user"),
    ).rejects.toThrow();
    expect(await getTeam(test.db, id)).toBeUndefined();
  });

  it("are listed for each member with the member's role", async () => {
    const user = await seedUser(test.db);
    const alpha = await createTeam(test.db, { name: "Alpha", slug: uniqueName("a") }, user.id);
    const { team: beta } = await seedTeam(test.db);
    await addMember(test.db, { teamId: beta.id, userId: user.id, role: "viewer" });
    await seedTeam(test.db);
    expect(await listTeamsOfUser(test.db, user.id)).toEqual([
      { ...alpha.team, role: "owner" },
      { ...beta, role: "viewer" },
    ]);
  });
});

describe("members", () => {
  it("are added, change role and are removed", async () => {
    const { team } = await seedTeam(test.db);
    const user = await seedUser(test.db);
    expect(await getMemberRole(test.db, team.id, user.id)).toBeUndefined();

    const member = await addMember(test.db, { teamId: team.id, userId: user.id });
    expect(member.role).toBe("member");
    await expect(
      addMember(test.db, { teamId: team.id, userId: user.id, role: "admin" }),
    ).rejects.toThrow();

    const updated = await updateMemberRole(test.db, team.id, user.id, "admin");
    expect(updated).toEqual({ ...member, role: "admin" });
    expect(await getMemberRole(test.db, team.id, user.id)).toBe("admin");

    expect(await removeMember(test.db, team.id, user.id)).toBe(true);
    expect(await getMemberRole(test.db, team.id, user.id)).toBeUndefined();
    expect(await removeMember(test.db, team.id, user.id)).toBe(false);
    await expect(updateMemberRole(test.db, team.id, user.id, "viewer")).rejects.toThrow(
      `user ${user.id} is not a member of team ${team.id}`,
    );
  });
});

describe("invitations", () => {
  it("are created, listed newest first and change status", async () => {
    const { owner, team } = await seedTeam(test.db);
    const expiresAt = new Date("2030-06-07T08:09:10.111Z");
    const first = await createInvitation(test.db, {
      teamId: team.id,
      email: "first@example.com",
      inviterId: owner.id,
      expiresAt,
      createdAt: new Date("2025-01-01T00:00:00.000Z"),
    });
    expect(first).toMatchObject({ role: "member", status: "pending", expiresAt });
    const second = await createInvitation(test.db, {
      teamId: team.id,
      email: "second@example.com",
      role: "admin",
      inviterId: owner.id,
      expiresAt,
      createdAt: new Date("2025-01-02T00:00:00.000Z"),
    });
    expect(await listInvitations(test.db, team.id)).toEqual([second, first]);

    const accepted = await updateInvitationStatus(test.db, first.id, "accepted");
    expect(accepted).toEqual({ ...first, status: "accepted" });
    expect(await listInvitations(test.db, team.id, "pending")).toEqual([second]);
    expect(await listInvitations(test.db, team.id, "accepted")).toEqual([accepted]);
    await expect(updateInvitationStatus(test.db, "missing", "canceled")).rejects.toThrow(
      "no invitation missing",
    );
  });
});

describe("API keys", () => {
  it("are listed, revoked and deleted only by their user in their team", async () => {
    const { owner, team } = await seedTeam(test.db);
    const { team: otherTeam } = await seedTeam(test.db);
    const other = await seedUser(test.db);
    await addMember(test.db, { teamId: team.id, userId: other.id });

    const input = {
      name: "ci",
      start: "att_ab",
      prefix: "att_",
      key: "hashed-secret",
      referenceId: owner.id,
      teamId: team.id,
      expiresAt: new Date("2030-01-01T00:00:00.123Z"),
      permissions: '{"studies":["read"]}',
      metadata: '{"purpose":"ci"}',
    };
    const created = await createApiKey(test.db, input);
    const { key: _hash, ...visible } = input;
    expect(created).toMatchObject({ ...visible, enabled: true, requestCount: 0 });
    expect(created).not.toHaveProperty("key");
    expect(await listApiKeys(test.db, owner.id, team.id)).toEqual([created]);
    expect(await listApiKeys(test.db, other.id, team.id)).toEqual([]);
    expect(await listApiKeys(test.db, owner.id, otherTeam.id)).toEqual([]);

    expect(await revokeApiKey(test.db, created.id, other.id, team.id)).toBe(false);
    expect(await revokeApiKey(test.db, created.id, owner.id, otherTeam.id)).toBe(false);
    expect((await listApiKeys(test.db, owner.id, team.id))[0]?.enabled).toBe(true);
    expect(await revokeApiKey(test.db, created.id, owner.id, team.id)).toBe(true);
    const [revoked] = await listApiKeys(test.db, owner.id, team.id);
    expect(revoked).toMatchObject({ id: created.id, enabled: false });

    expect(await deleteApiKey(test.db, created.id, other.id, team.id)).toBe(false);
    expect(await deleteApiKey(test.db, created.id, owner.id, team.id)).toBe(true);
    expect(await listApiKeys(test.db, owner.id, team.id)).toEqual([]);
    expect(await deleteApiKey(test.db, created.id, owner.id, team.id)).toBe(false);
  });
});
