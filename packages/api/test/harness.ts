// What the API tests share: a database of their own, better-auth on it, users signed up through
// its HTTP handler, and tRPC callers acting as them.
import { randomInt, randomUUID } from "node:crypto";
import { JobQueue } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { afterAll } from "vitest";
import { createAuth } from "../src/auth.ts";
import { SOCKET_ADDRESS_HEADER } from "../src/client-address.ts";
import type { Mailer, MailMessage } from "../src/mailer.ts";
import { appRouter } from "../src/root.ts";
import { createCallerFactory, createTRPCContext } from "../src/trpc.ts";

export const APP_URL = "http://localhost:3000";
export const PASSWORD = "correct horse battery staple";

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export interface SignedUpUser {
  userId: string;
  email: string;
  name: string;
  /** The Cookie header a browser would send after signing up. */
  cookie: string;
}

/** A name no other test in the database has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A client address of its own, so better-auth's per-address rate limits never meet across tests. */
export function uniqueIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** The Cookie header that answers a response's Set-Cookie headers. */
export function cookieFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

export function useApi() {
  const database = useTestDatabase();
  let auth: ReturnType<typeof createAuth> | undefined;
  // The test database's own queue, connected when a procedure first enqueues.
  let jobQueue: Promise<JobQueue> | undefined;
  afterAll(async () => {
    await (await jobQueue)?.stop();
  });
  const sentMail: MailMessage[] = [];
  const mailer: Mailer = {
    async send(message) {
      sentMail.push(message);
    },
  };

  const api = {
    get db() {
      return database.db;
    },
    get auth() {
      auth ??= createAuth({
        db: database.db,
        baseURL: APP_URL,
        secret: "attune-test-secret-that-is-long-enough-to-sign",
      });
      return auth;
    },
    sentMail,

    /**
     * A request to better-auth's handler as a browser at `ip` on the app's origin sends it, with
     * the peer's address as the web app's server adds it, and any `headers` the browser adds.
     */
    authRequest(
      path: string,
      options: {
        body?: unknown;
        ip?: string;
        cookie?: string;
        method?: string;
        headers?: Record<string, string>;
      } = {},
    ): Promise<Response> {
      const headers = new Headers({
        ...options.headers,
        origin: APP_URL,
        [SOCKET_ADDRESS_HEADER]: options.ip ?? uniqueIp(),
      });
      if (options.body !== undefined) headers.set("content-type", "application/json");
      if (options.cookie) headers.set("cookie", options.cookie);
      return api.auth.handler(
        new Request(`${APP_URL}/api/auth${path}`, {
          method: options.method ?? (options.body === undefined ? "GET" : "POST"),
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        }),
      );
    },

    async signUp(prefix = "user"): Promise<SignedUpUser> {
      const name = uniqueName(prefix);
      const email = `${name}@example.com`;
      const response = await api.authRequest("/sign-up/email", {
        body: { name, email, password: PASSWORD },
      });
      if (!response.ok)
        throw new Error(`sign-up of ${email}: ${response.status} ${await response.text()}`);
      const { user } = (await response.json()) as { user: { id: string } };
      return { userId: user.id, email, name, cookie: cookieFrom(response) };
    },

    caller(headers: Headers): Caller {
      return createCaller(() =>
        createTRPCContext({
          headers,
          db: database.db,
          auth: api.auth,
          appUrl: APP_URL,
          mailer,
          jobQueue: () => {
            jobQueue ??= JobQueue.connect(database.url, "api-test");
            return jobQueue;
          },
        }),
      );
    },
    as(user: SignedUpUser): Caller {
      return api.caller(new Headers({ cookie: user.cookie }));
    },
    withApiKey(key: string): Caller {
      return api.caller(new Headers({ authorization: `Bearer ${key}` }));
    },
    anonymous(): Caller {
      return api.caller(new Headers());
    },
  };
  return api;
}

export type Api = ReturnType<typeof useApi>;

/** Calls the procedure at a dotted path, as the tables of tests name them. */
export function callAt(caller: Caller, path: string, input: unknown): Promise<unknown> {
  const procedure = path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (procedure as (input: unknown) => Promise<unknown>)(input);
}

/** The router's procedure at a dotted path, with its type and input parser. */
export function procedureAt(path: string): { _def: { type: string; inputs: unknown[] } } {
  const procedure = (appRouter._def.procedures as Record<string, unknown>)[path];
  if (!procedure) throw new Error(`the router has no procedure ${path}`);
  return procedure as { _def: { type: string; inputs: unknown[] } };
}

/** The error code of a failed call, or "ok". */
export async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? `not a tRPC error: ${String(error)}`;
  }
}

/**
 * A digest of every row of every table: equal before and after a call exactly when the call
 * changed nothing.
 */
export async function databaseFingerprint(db: Api["db"]): Promise<Record<string, string>> {
  const tables = await db.$client.query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
  );
  const digests = tables.rows.map(
    ({ name }) =>
      `select '${name}' as name, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${name}" t`,
  );
  const result = await db.$client.query<{ name: string; digest: string }>(
    digests.join(" union all "),
  );
  return Object.fromEntries(result.rows.map((row) => [row.name, row.digest]));
}
