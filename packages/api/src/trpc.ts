// The tRPC server: its context (who is calling), the procedures routers build on, and the one
// middleware that decides what a caller may do with a team's resources.
import {
  type ApiKeyUse,
  type Database,
  type JobQueue,
  type ResourceKind,
  readApiKeyStanding,
  resolveAccess,
  spendApiKeyRequest,
  type TeamRole,
} from "@attune/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { hashApiKey } from "./api-keys.ts";
import type { Auth } from "./auth.ts";
import { logMailer, type Mailer } from "./mailer.ts";
import { getJobQueue } from "./queue.ts";
import { RetryAfter } from "./retry-after.ts";
import { endWhenAccessEnds } from "./streams.ts";

/** Who is calling: a signed-in user, or a script whose API key acts for one team of its user. */
export type Identity =
  | { kind: "session"; userId: string; email: string }
  | { kind: "apiKey"; userId: string; apiKeyId: string; teamId: string };

export interface ContextOptions {
  headers: Headers;
  db: Database;
  auth: Auth;
  /** The web app's public origin, for links sent by e-mail. */
  appUrl: string;
  /** Without one, e-mails are logged instead of sent. */
  mailer?: Mailer;
  /** The queue strategy runs go on; by default one connected to DATABASE_URL on first use. */
  jobQueue?: () => Promise<JobQueue>;
}

/**
 * Reads the caller from the request: better-auth's session cookie, or an `Authorization: Bearer`
 * API key. The key is checked, and counted against its rate limit, once per procedure call (a batch
 * of calls counts each) by authedProcedure, so that a wrong, revoked, expired or exhausted key
 * fails the call with the reason instead of passing as anonymous.
 */
export async function createTRPCContext({
  headers,
  db,
  auth,
  appUrl,
  mailer,
  jobQueue,
}: ContextOptions) {
  const authorization = headers.get("authorization");
  const apiKeyHash = authorization === null ? null : hashApiKey(bearerToken(authorization));
  const signedInUser = apiKeyHash === null ? await identifySession(auth, headers) : null;
  return {
    db,
    appUrl,
    mailer: mailer ?? logMailer,
    jobQueue: jobQueue ?? getJobQueue,
    signedInUser,
    /** The session as it stands now, for a stream to check that it was not signed out since. */
    readSession: () => identifySession(auth, headers),
    apiKeyHash,
  };
}

export type Context = Awaited<ReturnType<typeof createTRPCContext>>;

function bearerToken(authorization: string): string {
  const [, token] = /^Bearer +(\S+)$/.exec(authorization) ?? [];
  if (!token) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: 'the Authorization header must read "Bearer <API key>"',
    });
  }
  return token;
}

async function identifySession(auth: Auth, headers: Headers): Promise<Identity | null> {
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  return { kind: "session", userId: session.user.id, email: session.user.email };
}

/** The key's identity when it was accepted, else why it was refused. */
function apiKeyIdentity(use: ApiKeyUse): Identity {
  switch (use.outcome) {
    case "accepted":
      if (!use.key.teamId) {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "the API key has no team" });
      }
      return {
        kind: "apiKey",
        userId: use.key.referenceId,
        apiKeyId: use.key.id,
        teamId: use.key.teamId,
      };
    case "unknown":
      throw new TRPCError({ code: "UNAUTHORIZED", message: "the API key is not valid" });
    case "revoked":
      throw new TRPCError({ code: "UNAUTHORIZED", message: "the API key has been revoked" });
    case "expired":
      throw new TRPCError({ code: "UNAUTHORIZED", message: "the API key has expired" });
    case "rate-limited": {
      const wait = new RetryAfter(Math.ceil(use.retryAfterMs / 1000));
      throw new TRPCError({
        code: "TOO_MANY_REQUESTS",
        message: `the API key made too many requests; ${wait.message}`,
        cause: wait,
      });
    }
  }
}

/**
 * The caller as they stand now, for a stream opened earlier: the session or API key is read again
 * (a key without counting a request against its rate limit), in case it ended since.
 */
async function currentIdentity(
  ctx: Pick<Context, "db" | "apiKeyHash" | "readSession">,
): Promise<Identity> {
  if (ctx.apiKeyHash) return apiKeyIdentity(await readApiKeyStanding(ctx.db, ctx.apiKeyHash));
  const session = await ctx.readSession();
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "the session has ended" });
  return session;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    // The individual problems with the input, for forms to show beside their fields.
    data: { ...shape.data, issues: error.cause instanceof ZodError ? error.cause.issues : null },
  }),
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = "23505";

/**
 * Input errors read as zod words them, and a name already taken reads as a conflict rather than a
 * server error (the database's unique constraints decide, so two racing requests cannot both win).
 */
const translateErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const { cause } = result.error;
  if (cause instanceof ZodError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: z.prettifyError(cause), cause });
  }
  // Drizzle wraps the driver's error; the code and detail are on its cause.
  const driverError = (cause?.cause ?? cause) as UniqueViolation | undefined;
  if (driverError?.code === UNIQUE_VIOLATION) {
    throw new TRPCError({ code: "CONFLICT", message: describeConflict(driverError), cause });
  }
  return result;
});

interface UniqueViolation {
  code?: string;
  table?: string;
  /** As PostgreSQL words it: `Key (project_id, name)=(…, small-lm) already exists.` */
  detail?: string;
}

/**
 * The taken value in a user's words, e.g. `a study named "small-lm" already exists in this
 * project`: the constraint's own columns minus the ids that scope it.
 */
export function describeConflict({ table, detail }: UniqueViolation): string {
  const match = detail?.match(/^Key \((.+)\)=\((.*)\) already exists\.?$/);
  if (!table || !match) return `already exists: ${detail ?? "a row with the same unique values"}`;
  const columns = (match[1] as string).split(", ");
  const values = (match[2] as string).split(", ");
  // A value with ", " in it cannot be told apart from two values: say what PostgreSQL said.
  if (values.length !== columns.length) return `already exists: ${detail}`;
  const thing = table.endsWith("ies") ? `${table.slice(0, -3)}y` : table.replace(/s$/, "");
  const scope = columns.find((column) => column.endsWith("_id"))?.slice(0, -3);
  const taken = columns
    .map((column, position) => ({ column, value: values[position] }))
    .filter(({ column }) => !column.endsWith("_id"))
    .map(({ column, value }) =>
      column === "name" ? `named "${value}"` : `with ${column} "${value}"`,
    )
    .join(" and ");
  return `a ${thing} ${taken} already exists${scope ? ` in this ${scope}` : ""}`;
}

export const publicProcedure = t.procedure.use(translateErrors);

/** Any identified caller: a signed-in user or an API key. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const identity = ctx.apiKeyHash
    ? apiKeyIdentity(await spendApiKeyRequest(ctx.db, ctx.apiKeyHash))
    : ctx.signedInUser;
  if (!identity) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send an API key" });
  }
  return next({ ctx: { identity } });
});

/** The one answer for a resource that is missing or that the caller may not see. */
export function notFound(kind: string, id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `${kind} ${id} not found` });
}

function signInRequired() {
  return new TRPCError({ code: "FORBIDDEN", message: "API keys cannot do this; sign in instead" });
}

/** A signed-in user: for what reaches beyond the one team an API key acts for. */
export const sessionProcedure = authedProcedure.use(({ ctx, next }) => {
  const { identity } = ctx;
  if (identity.kind !== "session") throw signInRequired();
  return next({ ctx: { identity } });
});

/** An input without fields: absent or `{}`, nothing more. */
export const noInput = z.strictObject({}).optional();

const ROLE_RANK: Record<TeamRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** The input field that names a team's resource, and the kind of resource it names. */
const SCOPE_FIELDS = {
  teamId: "team",
  projectId: "project",
  datasetId: "dataset",
  modelId: "model",
  studyId: "study",
  trialId: "trial",
} as const satisfies Record<string, ResourceKind>;

type ScopeField = keyof typeof SCOPE_FIELDS;

/** The input of a team procedure names exactly one team or resource of a team. */
export type ScopedInput = {
  [F in ScopeField]: Record<F, string> & Partial<Record<Exclude<ScopeField, F>, never>>;
}[ScopeField];

function scopeOf(input: ScopedInput): { kind: ResourceKind; id: string } {
  for (const [field, kind] of Object.entries(SCOPE_FIELDS)) {
    const id = (input as Partial<Record<string, string>>)[field];
    if (id !== undefined) return { kind, id };
  }
  throw new Error(`a team procedure's input names none of ${Object.keys(SCOPE_FIELDS).join(", ")}`);
}

/** The caller's team and role there, when that role is at least `minimumRole`. */
async function authorize(
  db: Database,
  identity: Identity,
  scope: { kind: ResourceKind; id: string },
  minimumRole: TeamRole,
  options: { apiKeys: boolean },
): Promise<{ id: string; role: TeamRole }> {
  if (!options.apiKeys && identity.kind === "apiKey") throw signInRequired();
  const { kind, id } = scope;
  const access = await resolveAccess(db, kind, id, identity.userId);
  const keyFitsTeam = identity.kind !== "apiKey" || identity.teamId === access?.teamId;
  if (!access?.role || !keyFitsTeam) throw notFound(kind, id);
  if (ROLE_RANK[access.role] < ROLE_RANK[minimumRole]) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `this needs the ${minimumRole} role or higher in team ${access.teamId}; you are ${access.role}`,
    });
  }
  return { id: access.teamId, role: access.role };
}

/**
 * A procedure on a team or one of its resources, for callers with at least `minimumRole` there:
 * viewers read, members change projects, datasets and studies, admins manage the team. The input
 * is validated first; then its team and the caller's role are read in one query. A resource of a
 * team the caller is not in (or that the caller's API key is not for) is NOT_FOUND, word for word
 * as a resource that does not exist, so that ids of other teams reveal nothing.
 *
 * A subscription is authorized again every few seconds while it sends, with its API key read
 * again, and ends with the error of the first check that fails (see endWhenAccessEnds). Its
 * resolver waits on `ctx.streamClosed`, aborted when the client leaves or the stream ends.
 */
export function teamProcedure<Input extends z.ZodType<ScopedInput>>(
  minimumRole: TeamRole,
  input: Input,
  options: { apiKeys: boolean } = { apiKeys: true },
) {
  return authedProcedure.input(input).use(async ({ ctx, input, type, signal, next }) => {
    const scope = scopeOf(input as ScopedInput);
    const team = await authorize(ctx.db, ctx.identity, scope, minimumRole, options);
    const closing = new AbortController();
    const streamClosed = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
    const result = await next({ ctx: { team, streamClosed } });
    if (type !== "subscription" || !result.ok) return result;
    const recheck = async () => {
      await authorize(ctx.db, await currentIdentity(ctx), scope, minimumRole, options);
    };
    return { ...result, data: endWhenAccessEnds(result.data, recheck, closing) };
  });
}
