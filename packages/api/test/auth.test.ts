// Sign-up and sign-in through better-auth's HTTP handler, sessions in httpOnly cookies, the
// sign-in rate limit counted in the database, and the team endpoints that stay reachable.
import { createTeam, getUserByEmail } from "@attune/db";
import { describe, expect, it } from "vitest";
import { SIGN_IN_ATTEMPTS_PER_MINUTE } from "../src/auth.ts";
import { cookieFrom, PASSWORD, uniqueIp, uniqueName, useApi } from "./harness.ts";

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
    expect(Number(limited.headers.get("x-retry-after"))).toBeGreaterThan(0);
    const counter = await api.db.query.rateLimits.findFirst({
      where: (row, { like }) => like(row.key, `${ip}%`),
    });
    expect(counter?.count).toBe(SIGN_IN_ATTEMPTS_PER_MINUTE);
    // Another address is not held up.
    expect((await attempt(PASSWORD, uniqueIp())).status).toBe(200);
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
