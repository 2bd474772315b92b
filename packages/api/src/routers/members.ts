import {
  type Executor,
  getMemberRole,
  listMembers,
  removeMember,
  type TeamRole,
  updateMemberRole,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { assignableRole, teamId, userId } from "../inputs.ts";
import { notFound, teamProcedure } from "../trpc.ts";

/** Roles an admin can give; ownership only changes hands through teams.transferOwnership. */
/** The member's current role; the owner's cannot be changed or removed from here. */
async function nonOwnerRole(db: Executor, team: string, user: string): Promise<TeamRole> {
  const role = await getMemberRole(db, team, user);
  if (!role) throw notFound("member", user);
  if (role === "owner") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `user ${user} owns team ${team}; ownership changes only by transferring it`,
    });
  }
  return role;
}

export const membersRouter = {
  list: teamProcedure("viewer", z.strictObject({ teamId })).query(({ ctx, input }) =>
    listMembers(ctx.db, input.teamId),
  ),

  setRole: teamProcedure(
    "admin",
    z.strictObject({ teamId, userId, role: assignableRole }),
  ).mutation(({ ctx, input }) =>
    audited(
      ctx,
      async (tx) => {
        const previous = await nonOwnerRole(tx, input.teamId, input.userId);
        return {
          previous,
          member: await updateMemberRole(tx, input.teamId, input.userId, input.role),
        };
      },
      ({ previous, member }) => ({
        teamId: input.teamId,
        action: "member.role.update",
        targetType: "member",
        targetId: member.userId,
        details: { from: previous, to: member.role },
      }),
    ).then(({ member }) => member),
  ),

  remove: teamProcedure("admin", z.strictObject({ teamId, userId })).mutation(({ ctx, input }) =>
    audited(
      ctx,
      async (tx) => {
        const role = await nonOwnerRole(tx, input.teamId, input.userId);
        await removeMember(tx, input.teamId, input.userId);
        return { ...input, role };
      },
      ({ role }) => ({
        teamId: input.teamId,
        action: "member.remove",
        targetType: "member",
        targetId: input.userId,
        details: { role },
      }),
    ),
  ),
} satisfies TRPCRouterRecord;
