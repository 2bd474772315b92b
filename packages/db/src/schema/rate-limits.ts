// Request counters for rate limits, in the database so that every instance of the serverless web
// app counts the same requests. Table and field names are what better-auth's database rate-limit
// storage reads and writes (its "rateLimit" model, mapped to this table in the auth config).
import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";

export const rateLimits = pgTable("rate_limits", {
  id: text().primaryKey(),
  /** The client and the path limited, for example "203.0.113.7|/sign-in/email". */
  key: text().notNull().unique(),
  count: integer().notNull(),
  /** Milliseconds since the epoch, as better-auth writes it. */
  lastRequest: bigint({ mode: "number" }).notNull(),
});
