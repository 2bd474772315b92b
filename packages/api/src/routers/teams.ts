import {
  createTeam,
  getMemberRole,
  getTeam,
  listTeamsOfUser,
  removeMember,
  renameTeam,
  updateMemberRole,
} from "@attune/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { displayName, teamId, userId } from "../inputs.ts";
import { authedProcedure, noInput, notFound, sessionProcedure, teamProcedure } from "../trpc.ts";

const slug = z
  .string()
  .max(48)
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    "must be lowercase letters and digits, joined by single hyphens",
  );

export const teamsRouter = {
  /** Creates a team owned by the caller. */
  create: sessionProcedure
    .input(z.strictObject({ name: displayName, slug }))
    .mutation(({ ctx, input }) =>
      audited(
        ctx,
        async (tx) => (await createTeam(tx, input, ctx.identity.userId)).team,
        (team) => ({
          teamId: team.id,
          action: "team.create",
          targetType: "team",
          targetId: team.id,
          details: input,
        }),
      ),
    ),

  /** The caller's teams with the caller's role in each; an API key sees only its own team. */
  list: authedProcedure.input(noInput).query(async ({ ctx }) => {
    const teams = await listTeamsOfUser(ctx.db, ctx.identity.userId);
    const { identity } = ctx;
    return identity.kind === "apiKey" ? teams.filter((team) => team.id === identity.teamId) : teams;
  }),

  get: teamProcedure("viewer", z.strictObject({ teamId })).query(async ({ ctx, input }) => {
    const team = await getTeam(ctx.db, input.teamId);
    if (!team) throw notFound("team", input.teamId);
    return { ...team, role: ctx.team.role };
  }),

  rename: teamProcedure("admin", z.strictObject({ teamId, name: displayName })).mutation(
    ({ ctx, input }) =>
      audited(
        ctx,
        (tx) => renameTeam(tx, input.teamId, input.name),
        (team) => ({
          teamId: team.id,
          action: "team.rename",
          targetType: "team",
          targetId: team.id,
          details: { name: input.name },
        }),
      ),
  ),

  /** Makes another member the owner; the previous owner stays on as an admin. */
  transferOwnership: teamProcedure("owner", z.strictObject({ teamId, userId })).mutation(
    ({ ctx, input }) => {
      if (input.userId === ctx.identity.userId) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "you already own this team" });
      }
      return audited(
        ctx,
        async (tx) => {
          if (!(await getMemberRole(tx, input.teamId, input.userId))) {
            throw notFound("member", input.userId);
          }
          await updateMemberRole(tx, input.teamId, ctx.identity.userId, "admin");
          return updateMemberRole(tx, input.teamId, input.userId, "owner");
        },
        (owner) => ({
          teamId: input.teamId,
          action: "team.ownership.transfer",
          targetType: "member",
          targetId: owner.userId,
          details: { previousOwner: ctx.identity.userId },
        }),
      );
    },
  ),

  /** Leaves the team; its owner must hand ownership to someone else first. */
  leave: teamProcedure("viewer", z.strictObject({ teamId })).mutation(({ ctx, input }) => {
    if (ctx.team.role === "owner") {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `the owner cannot leave team ${input.teamId}; transfer ownership first`,
      });
    }
    return audited(
      ctx,
      (tx) => removeMember(tx, input.teamId, ctx.identity.userId),
      () => ({
        teamId: input.teamId,
        action: "team.leave",
        targetType: "member",
        targetId: ctx.identity.userId,
      }),
    );
  }),
} satisfies TRPCRouterRecord;
