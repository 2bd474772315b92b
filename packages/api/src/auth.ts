// Sign-in with better-auth on our own tables: users, sessions, accounts and verifications, teams
// through its organization plugin, and rate limits kept in the database so that every instance of
// the serverless web app counts the same requests: per client address (resolved in
// client-address.ts, never from a header a client may choose) and per account (sign-in-limits.ts).
import {
  accounts,
  type Database,
  getDatabase,
  rateLimits,
  sessions,
  teamInvitations,
  teamMembers,
  teams,
  users,
  verifications,
} from "@attune/db";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { betterAuth } from "better-auth/minimal";
import { organization } from "better-auth/plugins";
import {
  CLIENT_ADDRESS_HEADER,
  type ClientAddressSettings,
  clientAddressSettingsFromEnv,
  withClientAddress,
} from "./client-address.ts";
import { withRetryAfter } from "./retry-after.ts";
import { accountSignInHooks } from "./sign-in-limits.ts";
import { userFieldHooks } from "./user-fields.ts";

export interface AuthSettings {
  db: Database;
  /**
   * The exact origin browsers use: cookies and origin checks depend on it. Absent, better-auth
   * reads BETTER_AUTH_URL, or else takes the origin of each request.
   */
  baseURL?: string;
  /** Signs cookies. Absent, better-auth reads BETTER_AUTH_SECRET, which production requires. */
  secret?: string;
  /** Which proxies to believe about client addresses; by default from the environment. */
  clientAddress?: ClientAddressSettings;
}

/** Sign-in attempts one client address may make per minute, counted in the database. */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 5;

/**
 * A request whose client address is unknown (no header our server or a configured platform sets)
 * is not limited per address: one shared bucket, better-auth's fallback, would let anyone lock
 * everyone out. Sign-in stays limited per account.
 */
function addressKnown(request: Request): boolean {
  return request.headers.has(CLIENT_ADDRESS_HEADER);
}

const teamsPlugin = organization({
  schema: {
    organization: { modelName: "teams" },
    member: { modelName: "teamMembers", fields: { organizationId: "teamId" } },
    invitation: { modelName: "teamInvitations", fields: { organizationId: "teamId" } },
    session: { fields: { activeOrganizationId: "activeTeamId" } },
  },
});

/**
 * The plugin's endpoints that stay reachable over HTTP: choosing the active team and reading one's
 * own memberships. Every change to teams goes through the tRPC router instead, where authorization
 * (with our viewer role) and the audit log live in one place.
 */
const TEAM_PATHS_KEPT = new Set([
  "/organization/set-active",
  "/organization/list",
  "/organization/get-active-member",
  "/organization/get-active-member-role",
]);

const disabledTeamPaths = Object.values(teamsPlugin.endpoints)
  .map((endpoint) => endpoint.path)
  .filter((path): path is string => path !== undefined && !TEAM_PATHS_KEPT.has(path));

/** Our tables under the model names the config below gives better-auth. */
const authTables = {
  users,
  sessions,
  accounts,
  verifications,
  teams,
  teamMembers,
  teamInvitations,
  rateLimits,
};

export function createAuth({
  db,
  baseURL,
  secret,
  clientAddress = clientAddressSettingsFromEnv(),
}: AuthSettings) {
  const auth = betterAuth({
    baseURL,
    basePath: "/api/auth",
    secret,
    database: drizzleAdapter(db, { provider: "pg", schema: authTables }),
    user: { modelName: "users" },
    session: { modelName: "sessions" },
    account: { modelName: "accounts" },
    verification: { modelName: "verifications" },
    emailAndPassword: { enabled: true },
    rateLimit: {
      // better-auth enables rate limits only in production by default; we want them everywhere.
      enabled: true,
      storage: "database",
      modelName: "rateLimits",
      customRules: {
        "/sign-in/*": (request) =>
          addressKnown(request) && { window: 60, max: SIGN_IN_ATTEMPTS_PER_MINUTE },
        "/**": (request, rule) => addressKnown(request) && rule,
      },
    },
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    hooks: accountSignInHooks(db),
    databaseHooks: userFieldHooks,
    plugins: [teamsPlugin],
    disabledPaths: disabledTeamPaths,
  });
  const handle = auth.handler;
  // Every request reaches better-auth with the client address resolved here, and every refusal
  // for too many requests leaves with Retry-After.
  auth.handler = async (request) =>
    withRetryAfter(await handle(withClientAddress(request, clientAddress)));
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;

let shared: Auth | undefined;

/**
 * The process's auth, created on first use (BETTER_AUTH_URL and BETTER_AUTH_SECRET configure it,
 * ATTUNE_TRUSTED_PROXIES and ATTUNE_CLIENT_ADDRESS_HEADER where client addresses come from). Lazy,
 * so that importing this module (as `next build` does while collecting pages) never opens a
 * database.
 */
export function getAuth(): Auth {
  shared ??= createAuth({ db: getDatabase() });
  return shared;
}
