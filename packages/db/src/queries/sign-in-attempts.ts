// The per-account sign-in limit: every password attempt on an e-mail is counted, wherever it comes
// from, and once a few have gone by each next one must wait a delay that doubles.
import { eq, lt, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { signInAttempts } from "../schema/index.ts";

export interface SignInDelayPolicy {
  /** Attempts allowed back to back before delays start. */
  freeAttempts: number;
  /** The wait after the last free attempt; each attempt after it doubles the wait. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** Attempts older than this are forgotten. */
  forgetAfterSeconds: number;
}

export type SignInAttemptUse = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts an attempt to sign in as `email` if its delay has passed, in one statement so that
 * concurrent attempts on any number of web instances cannot slip through together. Every attempt
 * counts until a successful sign-in clears the count (clearSignInAttempts).
 */
export async function spendSignInAttempt(
  db: Executor,
  email: string,
  policy: SignInDelayPolicy,
): Promise<SignInAttemptUse> {
  await db
    .delete(signInAttempts)
    .where(
      lt(
        signInAttempts.lastAttemptAt,
        sql`now() - ${policy.forgetAfterSeconds} * interval '1 second'`,
      ),
    );
  const delaysPast = sql`${signInAttempts.attempts} - ${policy.freeAttempts}`;
  const delaySeconds = sql`least(${policy.firstDelaySeconds} * power(2, ${delaysPast}), ${policy.maxDelaySeconds})`;
  const nextAllowedAt = sql`case when ${signInAttempts.attempts} < ${policy.freeAttempts} then ${signInAttempts.lastAttemptAt} else ${signInAttempts.lastAttemptAt} + ${delaySeconds} * interval '1 second' end`;
  const counted = await db
    .insert(signInAttempts)
    .values({ email, attempts: 1, lastAttemptAt: sql`now()` })
    .onConflictDoUpdate({
      target: signInAttempts.email,
      set: { attempts: sql`${signInAttempts.attempts} + 1`, lastAttemptAt: sql`now()` },
      setWhere: sql`${nextAllowedAt} <= now()`,
    })
    .returning({ attempts: signInAttempts.attempts });
  if (counted.length > 0) return { allowed: true };

  const [refused] = await db
    .select({
      retryAfterSeconds: sql<number>`greatest(1, ceil(extract(epoch from ${nextAllowedAt} - now())))::int`,
    })
    .from(signInAttempts)
    .where(eq(signInAttempts.email, email));
  // Cleared by a successful sign-in in between: try again.
  if (!refused) return spendSignInAttempt(db, email, policy);
  return { allowed: false, retryAfterSeconds: refused.retryAfterSeconds };
}

/** Forgets the attempts on `email`: its owner has just signed in. */
export async function clearSignInAttempts(db: Executor, email: string): Promise<void> {
  await db.delete(signInAttempts).where(eq(signInAttempts.email, email));
}
