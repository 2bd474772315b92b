import { describe, expect, it } from "vitest";
import {
  createAccount,
  createSession,
  createUser,
  createVerification,
  deleteSession,
  getAccount,
  getSessionByToken,
  getUser,
  getUserByEmail,
  getVerification,
} from "../src/queries/users.ts";
import { seedUser, uniqueName } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

const future = new Date("2031-04-05T06:07:08.912Z");
const past = new Date("2021-04-05T06:07:08.912Z");

describe("users", () => {
  it("round-trip by id and by email", async () => {
    const input = {
      id: uniqueName("u"),
      name: "Ada Lovelace",
      email: "ada@example.com",
      emailVerified: true,
      image: "https://example.com/ada.png",
      createdAt: new Date("2024-01-02T03:04:05.678Z"),
    };
    const user = await createUser(test.db, input);
    expect(user).toMatchObject(input);
    expect(user.updatedAt).toBeInstanceOf(Date);
    expect(await getUser(test.db, input.id)).toEqual(user);
    expect(await getUserByEmail(test.db, "ada@example.com")).toEqual(user);
    expect(await getUserByEmail(test.db, "nobody@example.com")).toBeUndefined();
    expect(await getUser(test.db, "missing")).toBeUndefined();
  });

  it("get an id when none is given, and refuse a second user with the same email", async () => {
    const user = await createUser(test.db, { name: "Grace", email: "grace@example.com" });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.emailVerified).toBe(false);
    await expect(
      createUser(test.db, { name: "Grace again", email: "grace@example.com" }),
    ).rejects.toThrow();
  });
});

describe("sessions", () => {
  it("round-trip by token until deleted", async () => {
    const user = await seedUser(test.db);
    const input = {
      token: uniqueName("token"),
      userId: user.id,
      expiresAt: future,
      ipAddress: "192.0.2.7",
      userAgent: "vitest",
      activeTeamId: "team-1",
    };
    const session = await createSession(test.db, input);
    expect(session).toMatchObject(input);
    expect(await getSessionByToken(test.db, input.token)).toEqual(session);
    expect(await deleteSession(test.db, input.token)).toBe(true);
    expect(await getSessionByToken(test.db, input.token)).toBeUndefined();
    expect(await deleteSession(test.db, input.token)).toBe(false);
  });

  it("are not returned once expired", async () => {
    const user = await seedUser(test.db);
    const token = uniqueName("token");
    await createSession(test.db, { token, userId: user.id, expiresAt: past });
    expect(await getSessionByToken(test.db, token)).toBeUndefined();
  });
});

describe("accounts", () => {
  it("round-trip by provider and account id", async () => {
    const user = await seedUser(test.db);
    const input = {
      userId: user.id,
      providerId: "github",
      accountId: "gh-1234",
      accessToken: "access",
      refreshToken: "refresh",
      idToken: "id-token",
      accessTokenExpiresAt: future,
      refreshTokenExpiresAt: new Date("2032-01-01T00:00:00.001Z"),
      scope: "read:user",
      password: null,
    };
    const account = await createAccount(test.db, input);
    expect(account).toMatchObject(input);
    expect(await getAccount(test.db, "github", "gh-1234")).toEqual(account);
    expect(await getAccount(test.db, "google", "gh-1234")).toBeUndefined();
  });
});

describe("verifications", () => {
  it("return the newest unexpired one for an identifier", async () => {
    const identifier = uniqueName("email-verification");
    await createVerification(test.db, {
      identifier,
      value: "older",
      expiresAt: future,
      createdAt: new Date("2025-01-01T00:00:00.000Z"),
    });
    const newer = await createVerification(test.db, {
      identifier,
      value: "newer",
      expiresAt: future,
      createdAt: new Date("2025-01-02T00:00:00.000Z"),
    });
    await createVerification(test.db, {
      identifier,
      value: "expired",
      expiresAt: past,
      createdAt: new Date("2025-01-03T00:00:00.000Z"),
    });
    expect(await getVerification(test.db, identifier)).toEqual(newer);
    expect(await getVerification(test.db, "unknown")).toBeUndefined();
  });
});
