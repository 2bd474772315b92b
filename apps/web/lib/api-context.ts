// What the API's context is made from for a request to the web app: its headers, the database,
// better-auth, and the public origin for links in e-mails. Server-side only.
import type { ContextOptions } from "@attune/api";
import { getAuth } from "@attune/api/auth";
import { getDatabase } from "@attune/db";

export function apiContextOptions(request: Request): ContextOptions {
  return {
    headers: request.headers,
    db: getDatabase(),
    auth: getAuth(),
    appUrl: process.env.BETTER_AUTH_URL ?? new URL(request.url).origin,
  };
}
