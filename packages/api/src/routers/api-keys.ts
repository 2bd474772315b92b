import { createApiKey, listApiKeys, revokeApiKey } from "@attune/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { API_KEY_PREFIX, API_KEY_RATE_LIMIT, generateApiKey } from "../api-keys.ts";
import { audited } from "../audit.ts";
import { displayName, teamId, textId } from "../inputs.ts";
import { notFound, teamProcedure } from "../trpc.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

// Keys are managed signed in only: a key that could mint keys would outlive its own revocation.
const signedIn = { apiKeys: false };

export const apiKeysRouter = {
  /** A new key of the caller's for the team, acting with the caller's role there. */
  create: teamProcedure(
    "viewer",
    z.strictObject({
      teamId,
      name: displayName,
      /** Absent: the key does not expire. */
      expiresInDays: z.number().int().min(1).max(365).optional(),
    }),
    signedIn,
  ).mutation(async ({ ctx, input }) => {
    const secret = generateApiKey();
    const apiKey = await audited(
      ctx,
      (tx) =>
        createApiKey(tx, {
          name: input.name,
          start: secret.start,
          prefix: API_KEY_PREFIX,
          key: secret.hash,
          referenceId: ctx.identity.userId,
          teamId: input.teamId,
          rateLimitEnabled: true,
          rateLimitTimeWindow: API_KEY_RATE_LIMIT.timeWindowMs,
          rateLimitMax: API_KEY_RATE_LIMIT.max,
          expiresAt:
            input.expiresInDays === undefined
              ? null
              : new Date(Date.now() + input.expiresInDays * DAY_MS),
        }),
      (created) => ({
        teamId: input.teamId,
        action: "apiKey.create",
        targetType: "apiKey",
        targetId: created.id,
        details: { name: input.name, start: created.start },
      }),
    );
    // The only time the key itself leaves the server: only its hash is stored.
    return { key: secret.key, apiKey };
  }),

  /** The caller's keys for the team, without their secrets. */
  list: teamProcedure("viewer", z.strictObject({ teamId }), signedIn).query(({ ctx, input }) =>
    listApiKeys(ctx.db, ctx.identity.userId, input.teamId),
  ),

  revoke: teamProcedure("viewer", z.strictObject({ teamId, apiKeyId: textId }), signedIn).mutation(
    ({ ctx, input }) =>
      audited(
        ctx,
        async (tx) => {
          if (!(await revokeApiKey(tx, input.apiKeyId, ctx.identity.userId, input.teamId))) {
            throw notFound("API key", input.apiKeyId);
          }
          return input;
        },
        () => ({
          teamId: input.teamId,
          action: "apiKey.revoke",
          targetType: "apiKey",
          targetId: input.apiKeyId,
        }),
      ),
  ),
} satisfies TRPCRouterRecord;
