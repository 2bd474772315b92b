// Request counters for rate limits, in the database so that every instance of the serverless web
// app counts the same requests.
import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Per client address and path. Table and field names are what better-auth's database rate-limit
 * storage reads and writes (its "rateLimit" model, mapped to this table in the auth config).
 */
export const rateLimits = pgTable("rate_limits", {
  id: text().primaryKey(),
  /** The client and the path limited, for example "203.0.113.7|/sign-in/email". */
  key: text().notNull().unique(),
  count: integer().notNull(),
  /** Milliseconds since the epoch, as better-auth writes it. */
  lastRequest: bigint({ mode: "number" }).notNull(),
});

/**
 * Password sign-in attempts per account, from whatever address they come: what stops guessing
 * from many addresses. Keyed by the e-mail as typed (lower-cased), whether or not it has an
 * account, so that the limit says nothing about which e-mails exist.
 */
export const signInAttempts = pgTable(
  "sign_in_attempts",
  {
    email: text().primaryKey(),
    /** Attempts since the last successful sign-in. */
    attempts: integer().notNull(),
    lastAttemptAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.lastAttemptAt)],
);
