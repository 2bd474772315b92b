// The per-account limit on password sign-in, beside better-auth's per-address one: attempts on one
// e-mail are counted from every address, so that rotating addresses cannot guess a password.
// Delays, not a lock: someone hammering an account delays its owner by at most the longest delay
// while they go on, and cannot lock the owner out for good.
import {
  clearSignInAttempts,
  type Database,
  type SignInDelayPolicy,
  spendSignInAttempt,
} from "@attune/db";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { userEmail } from "./user-fields.ts";

/** Five attempts back to back, then 30 s, 1, 2, 4, 8 min and 15 min between attempts. */
export const SIGN_IN_DELAYS: SignInDelayPolicy = {
  freeAttempts: 5,
  firstDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  forgetAfterSeconds: 24 * 60 * 60,
};

const PASSWORD_SIGN_IN = "/sign-in/email";

/** better-auth hooks: count an attempt before the password is checked, forget them on success. */
export function accountSignInHooks(db: Database) {
  return {
    before: createAuthMiddleware(async (ctx) => {
      if (ctx.path !== PASSWORD_SIGN_IN) return;
      // An address no account can have is refused by better-auth without a row here.
      const email = userEmail.safeParse(ctx.body?.email);
      if (!email.success) return;
      const use = await spendSignInAttempt(db, email.data, SIGN_IN_DELAYS);
      if (use.allowed) return;
      throw new APIError(
        "TOO_MANY_REQUESTS",
        {
          message: `Too many attempts to sign in to this account; try again in ${use.retryAfterSeconds} s.`,
          code: "TOO_MANY_SIGN_IN_ATTEMPTS",
        },
        { "retry-after": String(use.retryAfterSeconds) },
      );
    }),
    after: createAuthMiddleware(async (ctx) => {
      const signedIn = ctx.context.newSession?.user;
      if (ctx.path === PASSWORD_SIGN_IN && signedIn) await clearSignInAttempts(db, signedIn.email);
    }),
  };
}
