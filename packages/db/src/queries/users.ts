// Users and what better-auth keeps beside them: sessions, accounts and verifications.
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { accounts, sessions, users, verifications } from "../schema/index.ts";
import { single, type WithOptionalId, withId } from "./shared.ts";

export type User = typeof users.$inferSelect;
export type NewUser = WithOptionalId<typeof users.$inferInsert>;
export type Session = typeof sessions.$inferSelect;
export type NewSession = WithOptionalId<typeof sessions.$inferInsert>;
export type Account = typeof accounts.$inferSelect;
export type NewAccount = WithOptionalId<typeof accounts.$inferInsert>;
export type Verification = typeof verifications.$inferSelect;
export type NewVerification = WithOptionalId<typeof verifications.$inferInsert>;

export async function createUser(db: Executor, user: NewUser): Promise<User> {
  const rows = await db.insert(users).values(withId(user)).returning();
  return single(rows, `creating user ${user.email} returned no row`);
}

export async function getUser(db: Executor, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** Exact match: better-auth stores emails lower-cased, so callers pass them the same way. */
export async function getUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function createSession(db: Executor, session: NewSession): Promise<Session> {
  const rows = await db.insert(sessions).values(withId(session)).returning();
  return single(rows, `creating a session for user ${session.userId} returned no row`);
}

/** The session with this token, unless it has expired (by the database's clock). */
export async function getSessionByToken(db: Executor, token: string): Promise<Session | undefined> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.token, token), gt(sessions.expiresAt, sql`now()`)));
  return row;
}

/** Signs a session out; false when there was no such session. */
export async function deleteSession(db: Executor, token: string): Promise<boolean> {
  const rows = await db
    .delete(sessions)
    .where(eq(sessions.token, token))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

export async function createAccount(db: Executor, account: NewAccount): Promise<Account> {
  const rows = await db.insert(accounts).values(withId(account)).returning();
  return single(
    rows,
    `creating ${account.providerId} account ${account.accountId} for user ${account.userId} returned no row`,
  );
}

/** The account a sign-in through `providerId` resolves to. */
export async function getAccount(
  db: Executor,
  providerId: string,
  accountId: string,
): Promise<Account | undefined> {
  const [row] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.providerId, providerId), eq(accounts.accountId, accountId)));
  return row;
}

export async function createVerification(
  db: Executor,
  verification: NewVerification,
): Promise<Verification> {
  const rows = await db.insert(verifications).values(withId(verification)).returning();
  return single(rows, `creating a verification for ${verification.identifier} returned no row`);
}

/** The newest unexpired verification for `identifier` (a re-sent code supersedes older ones). */
export async function getVerification(
  db: Executor,
  identifier: string,
): Promise<Verification | undefined> {
  const [row] = await db
    .select()
    .from(verifications)
    .where(and(eq(verifications.identifier, identifier), gt(verifications.expiresAt, sql`now()`)))
    .orderBy(desc(verifications.createdAt))
    .limit(1);
  return row;
}
