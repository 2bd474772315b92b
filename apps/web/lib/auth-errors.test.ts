import { describe, expect, it } from "vitest";
import { authErrorText } from "./auth-errors.ts";

describe("authErrorText", () => {
  it("names a wrong password, a taken address and rate limiting plainly", () => {
    expect(
      authErrorText({ status: 401, code: "INVALID_EMAIL_OR_PASSWORD" }, "sign-in").message,
    ).toBe("Wrong email or password.");
    expect(
      authErrorText({ status: 422, code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" }, "sign-up"),
    ).toEqual({ message: "An account with this email already exists.", offerSignIn: true });
    expect(authErrorText({ status: 429, message: "Too many requests." }, "sign-in").message).toBe(
      "Too many attempts from this address. Wait a minute, then try again.",
    );
    const accountWaits = "Too many attempts to sign in to this account; try again in 30 s.";
    expect(
      authErrorText(
        { status: 429, code: "TOO_MANY_SIGN_IN_ATTEMPTS", message: accountWaits },
        "sign-in",
      ).message,
    ).toBe(accountWaits);
  });

  it("explains password rules", () => {
    expect(authErrorText({ status: 400, code: "PASSWORD_TOO_SHORT" }, "sign-up").message).toMatch(
      /at least 8/,
    );
  });

  it("keeps the server's words for anything else", () => {
    expect(authErrorText({ status: 400, message: "Odd." }, "sign-up").message).toBe(
      "Creating the account failed. Odd.",
    );
    expect(authErrorText({ status: 502 }, "sign-in").message).toMatch(/server could not answer/);
    expect(authErrorText({}, "sign-in").message).toBe("Signing in failed.");
  });
});
