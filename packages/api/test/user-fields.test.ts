// Bounds on users' names and e-mails, over better-auth's HTTP handler: sign-up and update-user.
import { getUserByEmail } from "@attune/db";
import { describe, expect, it } from "vitest";
import { PASSWORD, uniqueName, useApi } from "./harness.ts";

const api = useApi();

function signUp(name: string, email = `${uniqueName("bounds")}@example.com`) {
  return api.authRequest("/sign-up/email", { body: { name, email, password: PASSWORD } });
}

const badNames = [
  ["empty", ""],
  ["only spaces", "   "],
  ["10,000 characters", "x".repeat(10_000)],
  ["only zero-width characters", "\u200b\u200c\u200d"],
  ["a newline", "Ada\nLovelace"],
  ["a NUL", "Ada\u0000"],
];

describe("a user's name", () => {
  it.each(badNames)("is refused at sign-up when %s", async (_, name) => {
    const response = await signUp(name);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: "INVALID_USER_FIELDS",
      message: expect.stringContaining("name"),
    });
  });

  it.each(badNames)("is refused by update-user when %s", async (_, name) => {
    const user = await api.signUp();
    const response = await api.authRequest("/update-user", { body: { name }, cookie: user.cookie });
    expect(response.status).toBe(400);
    expect((await getUserByEmail(api.db, user.email))?.name).toBe(user.name);
  });

  it("is kept trimmed, in any script, up to 100 characters", async () => {
    const email = `${uniqueName("bounds")}@example.com`;
    expect((await signUp(" Ada Lovelace ", email)).status).toBe(200);
    expect((await getUserByEmail(api.db, email))?.name).toBe("Ada Lovelace");
    expect((await signUp("علي‌رضا")).status).toBe(200);
    expect((await signUp("é".repeat(100))).status).toBe(200);
    expect((await signUp("é".repeat(101))).status).toBe(400);
  });
});

describe("a user's e-mail", () => {
  it("is refused over 254 characters, or with a local part over 64", async () => {
    const domain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.example.com`;
    expect((await signUp("Ada", `${"a".repeat(290 - domain.length)}@${domain}`)).status).toBe(400);
    expect((await signUp("Ada", `${"a".repeat(65)}@example.com`)).status).toBe(400);
    expect((await signUp("Ada", `${"a".repeat(64)}@example.com`)).status).toBe(200);
  });
});
