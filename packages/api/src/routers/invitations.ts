import {
  addMember,
  createInvitation,
  type Executor,
  getInvitation,
  getMemberRole,
  getTeam,
  getUser,
  getUserByEmail,
  listInvitations,
  settleInvitation,
  type TeamInvitation,
} from "@attune/db";
import { log } from "@attune/runtime/log";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { audited } from "../audit.ts";
import { assignableRole, email, teamId, textId } from "../inputs.ts";
import { notFound, sessionProcedure, teamProcedure } from "../trpc.ts";

const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const invitationId = textId;

/** Where the invitee accepts: the web app's page for the invitation. */
function invitationLink(appUrl: string, id: string): string {
  return new URL(`/invitations/${encodeURIComponent(id)}`, appUrl).toString();
}

/** The invitation when it is addressed to the caller; someone else's reads as a missing one. */
async function inviteeInvitation(
  ctx: { db: Executor; identity: { email: string } },
  invitationId: string,
): Promise<TeamInvitation> {
  const invitation = await getInvitation(ctx.db, invitationId);
  if (invitation?.email !== ctx.identity.email.toLowerCase()) {
    throw notFound("invitation", invitationId);
  }
  return invitation;
}

function hasExpired(invitation: TeamInvitation): boolean {
  return invitation.expiresAt.getTime() <= Date.now();
}

export const invitationsRouter = {
  /**
   * Invites an e-mail address into the team and returns the link to accept by; the link is also
   * mailed (or logged, without a mailer). Only the user signed in with that address can accept.
   */
  create: teamProcedure("admin", z.strictObject({ teamId, email, role: assignableRole })).mutation(
    async ({ ctx, input }) => {
      const invitee = await getUserByEmail(ctx.db, input.email);
      if (invitee && (await getMemberRole(ctx.db, input.teamId, invitee.id))) {
        throw new TRPCError({
          code: "CONFLICT",
          message: `${input.email} is already a member of team ${input.teamId}`,
        });
      }
      const invitation = await audited(
        ctx,
        (tx) =>
          createInvitation(tx, {
            ...input,
            inviterId: ctx.identity.userId,
            expiresAt: new Date(Date.now() + INVITATION_LIFETIME_MS),
          }),
        (created) => ({
          teamId: input.teamId,
          action: "invitation.create",
          targetType: "invitation",
          targetId: created.id,
          details: { email: input.email, role: input.role },
        }),
      );
      const link = invitationLink(ctx.appUrl, invitation.id);
      const teamName = (await getTeam(ctx.db, input.teamId))?.name ?? input.teamId;
      // The invitation stands even when the mail fails: the admin has the link to pass on.
      await ctx.mailer
        .send({
          to: input.email,
          subject: `You are invited to ${teamName} on Attune`,
          text: `You are invited to join ${teamName} on Attune as ${input.role}. Accept within 7 days: ${link}`,
        })
        .catch((error: unknown) =>
          log.warn("invitation.mail.failed", {
            invitationId: invitation.id,
            message: error instanceof Error ? error.message : String(error),
          }),
        );
      return { invitation, link };
    },
  ),

  /** The team's pending invitations, newest first. */
  list: teamProcedure("admin", z.strictObject({ teamId })).query(({ ctx, input }) =>
    listInvitations(ctx.db, input.teamId, "pending"),
  ),

  revoke: teamProcedure("admin", z.strictObject({ teamId, invitationId })).mutation(
    async ({ ctx, input }) => {
      const invitation = await getInvitation(ctx.db, input.invitationId);
      if (invitation?.teamId !== input.teamId) {
        throw notFound("invitation", input.invitationId);
      }
      return audited(
        ctx,
        async (tx) => {
          const revoked = await settleInvitation(tx, invitation.id, "canceled");
          if (!revoked) {
            throw new TRPCError({
              code: "PRECONDITION_FAILED",
              message: `invitation ${invitation.id} is no longer pending`,
            });
          }
          return revoked;
        },
        (revoked) => ({
          teamId: revoked.teamId,
          action: "invitation.revoke",
          targetType: "invitation",
          targetId: revoked.id,
        }),
      );
    },
  ),

  /**
   * The invitation as its invitee sees it before accepting: the team, the role, who invited and
   * until when, and whether it can still be accepted. Only the user signed in with the invited
   * address sees it; for anyone else it does not exist, as for accept.
   */
  get: sessionProcedure.input(z.strictObject({ invitationId })).query(async ({ ctx, input }) => {
    const invitation = await inviteeInvitation(ctx, input.invitationId);
    const [team, inviter, role] = await Promise.all([
      getTeam(ctx.db, invitation.teamId),
      getUser(ctx.db, invitation.inviterId),
      getMemberRole(ctx.db, invitation.teamId, ctx.identity.userId),
    ]);
    if (!team) throw notFound("invitation", input.invitationId);
    return {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      status: invitation.status,
      expiresAt: invitation.expiresAt,
      createdAt: invitation.createdAt,
      expired: hasExpired(invitation),
      team: { id: team.id, name: team.name, slug: team.slug },
      inviter: inviter ? { name: inviter.name, email: inviter.email } : null,
      /** The caller's role in the team when already a member (then it cannot be accepted). */
      memberRole: role ?? null,
    };
  }),

  /** Joins the team with the invited role; only the user signed in with the invited address. */
  accept: sessionProcedure
    .input(z.strictObject({ invitationId }))
    .mutation(async ({ ctx, input }) => {
      const invitation = await inviteeInvitation(ctx, input.invitationId);
      if (hasExpired(invitation)) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `invitation ${invitation.id} expired on ${invitation.expiresAt.toISOString()}`,
        });
      }
      if (await getMemberRole(ctx.db, invitation.teamId, ctx.identity.userId)) {
        throw new TRPCError({
          code: "CONFLICT",
          message: `you are already a member of team ${invitation.teamId}`,
        });
      }
      return audited(
        ctx,
        async (tx) => {
          if (!(await settleInvitation(tx, invitation.id, "accepted"))) {
            throw new TRPCError({
              code: "PRECONDITION_FAILED",
              message: `invitation ${invitation.id} is no longer pending`,
            });
          }
          return addMember(tx, {
            teamId: invitation.teamId,
            userId: ctx.identity.userId,
            role: invitation.role,
          });
        },
        (member) => ({
          teamId: member.teamId,
          action: "invitation.accept",
          targetType: "invitation",
          targetId: invitation.id,
          details: { role: member.role },
        }),
      );
    }),
} satisfies TRPCRouterRecord;
