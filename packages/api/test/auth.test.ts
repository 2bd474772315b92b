// Sign-up and sign-in through better-auth's HTTP handler, sessions in httpOnly cookies, the
// sign-in rate limits counted in the database, and the team endpoints that stay reachable.
import { createTeam, getUserByEmail } from "@attune/db";
import { describe, expect, it } from "vitest";
import { createAuth, SIGN_IN_ATTEMPTS_PER_MINUTE } from "../src/auth.ts";
import {
  CLIENT_ADDRESS_HEADER,
  parseTrustedProxies,
  SOCKET_ADDRESS_HEADER,
} from "../src/client-address.ts";
import { SIGN_IN_DELAYS } from "../src/sign-in-limits.ts";
import { APP_URL, cookieFrom, PASSWORD, uniqueIp, uniqueName, useApi } from "./harness.ts";

const api = useApi();

describe("signing up", () => {
  it("creates the user with a hashed password and a session cookie", async () => {
    const name = uniqueName("new");
    const email = `${name}@Example.com`;
    const response = await api.authRequest("/sign-up/email", {
      body: { name, email, password: PASSWORD },
    });
    expect(response.status).toBe(200);
    const sessionCookie = response.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith("better-auth.session_token="));
    expect(sessionCookie).toMatch(/; HttpOnly/i);
    expect(sessionCookie).toMatch(/; SameSite=Lax/i);

    const user = await getUserByEmail(api.db, email.toLowerCase());
    expect(user).toMatchObject({ name, emailVerified: false });
    const account = await api.db.query.accounts.findFirst({
      where: (row, { eq }) => eq(row.userId, user?.id ?? ""),
    });
    expect(account?.providerId).toBe("credential");
    expect(account?.password).toBeTruthy();
    expect(account?.password).not.toContain(PASSWORD);
  });

  it("refuses a second account for the same address", async () => {
    const user = await api.signUp();
    const response = await api.authRequest("/sign-up/email", {
      body: { name: "again", email: user.email, password: PASSWORD },
    });
    expect(response.status).toBe(422);
  });
});

describe("signing in", () => {
  it("gives a session that the API accepts, until signing out", async () => {
    const user = await api.signUp();
    const response = await api.authRequest("/sign-in/email", {
      body: { email: user.email, password: PASSWORD },
    });
    expect(response.status).toBe(200);
    const cookie = cookieFrom(response);

    const session = await api.authRequest("/get-session", { cookie });
    expect(await session.json()).toMatchObject({ user: { id: user.userId, email: user.email } });

    const caller = api.caller(new Headers({ cookie }));
    const team = await caller.teams.create({ name: "Signed in", slug: uniqueName("signed") });
    expect(await caller.teams.list()).toEqual([
      expect.objectContaining({ id: team.id, role: "owner" }),
    ]);

    expect((await api.authRequest("/sign-out", { body: {}, cookie })).status).toBe(200);
    await expect(api.caller(new Headers({ cookie })).teams.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("refuses a wrong password without a cookie", async () => {
    const user = await api.signUp();
    const response = await api.authRequest("/sign-in/email", {
      body: { email: user.email, password: "not the password" },
    });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it(`allows ${SIGN_IN_ATTEMPTS_PER_MINUTE} attempts a minute from one address, counted in the database`, async () => {
    const user = await api.signUp();
    const ip = uniqueIp();
    const attempt = (password: string, from = ip) =>
      api.authRequest("/sign-in/email", { body: { email: user.email, password }, ip: from });
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_MINUTE; i++) {
      expect((await attempt("wrong password")).status).toBe(401);
    }
    // Even the right password waits now; the response says how long.
    const limited = await attempt(PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const counter = await api.db.query.rateLimits.findFirst({
      where: (row, { like }) => like(row.key, `${ip}%`),
    });
    expect(counter?.count).toBe(SIGN_IN_ATTEMPTS_PER_MINUTE);
    // Another address is not held up (on another account: this one now waits for its own limit).
    const other = await api.signUp();
    const fromElsewhere = await api.authRequest("/sign-in/email", {
      body: { email: other.email, password: PASSWORD },
    });
    expect(fromElsewhere.status).toBe(200);
  });
});

describe("team endpoints of better-auth", () => {
  it("are closed for changes, which go through the API", async () => {
    const user = await api.signUp();
    const response = await api.authRequest("/organization/create", {
      body: { name: "Bypass", slug: uniqueName("bypass") },
      cookie: user.cookie,
    });
    expect(response.status).toBe(404);
  });

  it("still choose the active team, stored as the session's activeTeamId", async () => {
    const user = await api.signUp();
    const slug = uniqueName("active");
    const { team } = await createTeam(api.db, { name: slug, slug }, user.userId);
    const listed = await api.authRequest("/organization/list", { cookie: user.cookie });
    expect(await listed.json()).toEqual([expect.objectContaining({ id: team.id, slug })]);

    const response = await api.authRequest("/organization/set-active", {
      body: { organizationId: team.id },
      cookie: user.cookie,
    });
    expect(response.status).toBe(200);
    const session = await api.db.query.sessions.findFirst({
      where: (row, { eq }) => eq(row.userId, user.userId),
    });
    expect(session?.activeTeamId).toBe(team.id);
  });
});

describe("client addresses", () => {
  const signIn = (email: string, password: string, ip: string, forwardedFor?: string) =>
    api.authRequest("/sign-in/email", {
      body: { email, password },
      ip,
      headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    });

  it("are the peer's: a new X-Forwarded-For on every attempt does not escape the limit", async () => {
    const user = await api.signUp();
    const ip = uniqueIp();
    const statuses = [];
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_MINUTE + 1; i++) {
      statuses.push((await signIn(user.email, "wrong password", ip, uniqueIp())).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it("cannot be spoofed to lock another client out", async () => {
    const victim = await api.signUp();
    const victimIp = uniqueIp();
    const attacker = await api.signUp();
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_MINUTE + 1; i++) {
      await signIn(attacker.email, "wrong password", uniqueIp(), victimIp);
      // Nor by sending the header that better-auth reads the resolved address from.
      await api.authRequest("/sign-in/email", {
        body: { email: attacker.email, password: "wrong password" },
        headers: { [CLIENT_ADDRESS_HEADER]: victimIp },
      });
    }
    expect((await signIn(victim.email, PASSWORD, victimIp)).status).toBe(200);
  });

  it("come from X-Forwarded-For only as far as trusted proxies added it", async () => {
    const proxy = uniqueIp();
    const client = uniqueIp();
    const user = await api.signUp();
    const behindProxy = createAuth({
      db: api.db,
      baseURL: APP_URL,
      secret: "attune-test-secret-that-is-long-enough-to-sign",
      clientAddress: { trustedProxies: parseTrustedProxies(proxy) },
    });
    const statuses = [];
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_MINUTE + 1; i++) {
      const response = await behindProxy.handler(
        new Request(`${APP_URL}/api/auth/sign-in/email`, {
          method: "POST",
          headers: {
            origin: APP_URL,
            "content-type": "application/json",
            [SOCKET_ADDRESS_HEADER]: proxy,
            // The leftmost entry is the client's own claim; the proxy appended the real peer.
            "x-forwarded-for": `${uniqueIp()}, ${client}`,
          },
          body: JSON.stringify({ email: `${uniqueName("nobody")}@example.com`, password: "x" }),
        }),
      );
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
    const counter = await api.db.query.rateLimits.findFirst({
      where: (row, { like }) => like(row.key, `${client}|%`),
    });
    expect(counter?.count).toBe(SIGN_IN_ATTEMPTS_PER_MINUTE);
    expect((await signIn(user.email, PASSWORD, proxy)).status).toBe(200);
  });

  it("unknown (no peer address) leave requests unlimited per address, never one shared bucket", async () => {
    const statuses = [];
    for (let i = 0; i < SIGN_IN_ATTEMPTS_PER_MINUTE + 1; i++) {
      const response = await api.auth.handler(
        new Request(`${APP_URL}/api/auth/sign-in/email`, {
          method: "POST",
          headers: { origin: APP_URL, "content-type": "application/json" },
          body: JSON.stringify({ email: `${uniqueName("nobody")}@example.com`, password: "x" }),
        }),
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array(SIGN_IN_ATTEMPTS_PER_MINUTE + 1).fill(401));
  });
});

describe("the per-account sign-in limit", () => {
  it("stops guessing from ever-new addresses, even the right password, and says how long", async () => {
    const user = await api.signUp();
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const response = await api.authRequest("/sign-in/email", {
        body: { email: user.email, password: `guess ${i}` },
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, SIGN_IN_DELAYS.freeAttempts)).toEqual(
      Array(SIGN_IN_DELAYS.freeAttempts).fill(401),
    );
    expect(new Set(statuses.slice(SIGN_IN_DELAYS.freeAttempts))).toEqual(new Set([429]));
    const limited = await api.authRequest("/sign-in/email", {
      body: { email: user.email.toUpperCase(), password: PASSWORD },
    });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_DELAYS.firstDelaySeconds);
    expect(await limited.json()).toMatchObject({ code: "TOO_MANY_SIGN_IN_ATTEMPTS" });
  });

  it("forgets the failures of an owner who then signs in", async () => {
    const user = await api.signUp();
    const attempt = (password: string) =>
      api.authRequest("/sign-in/email", { body: { email: user.email, password } });
    for (let i = 0; i < SIGN_IN_DELAYS.freeAttempts - 1; i++) await attempt("wrong password");
    expect((await attempt(PASSWORD)).status).toBe(200);
    for (let i = 0; i < SIGN_IN_DELAYS.freeAttempts - 1; i++) {
      expect((await attempt("wrong password")).status).toBe(401);
    }
  });

  it("counts an e-mail without an account like one with, so it tells nothing", async () => {
    const email = `${uniqueName("nobody")}@example.com`;
    const statuses = [];
    for (let i = 0; i < SIGN_IN_DELAYS.freeAttempts + 1; i++) {
      statuses.push(
        (await api.authRequest("/sign-in/email", { body: { email, password: "x" } })).status,
      );
    }
    expect(statuses.at(-1)).toBe(429);
  });
});
