import { describe, expect, it } from "vitest";
import {
  clearSignInAttempts,
  type SignInDelayPolicy,
  spendSignInAttempt,
} from "../src/queries/sign-in-attempts.ts";
import { uniqueName } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

const policy: SignInDelayPolicy = {
  freeAttempts: 3,
  firstDelaySeconds: 30,
  maxDelaySeconds: 100,
  forgetAfterSeconds: 3600,
};

/** Moves the account's last attempt `seconds` into the past, as if time had passed. */
async function age(email: string, seconds: number) {
  await test.db.$client.query(
    "update sign_in_attempts set last_attempt_at = last_attempt_at - $1 * interval '1 second' where email = $2",
    [seconds, email],
  );
}

describe("the per-account sign-in limit", () => {
  it("allows the free attempts, then waits a delay that doubles up to the maximum", async () => {
    const email = `${uniqueName("a")}@example.com`;
    for (let i = 0; i < policy.freeAttempts; i++) {
      expect(await spendSignInAttempt(test.db, email, policy)).toEqual({ allowed: true });
    }
    expect(await spendSignInAttempt(test.db, email, policy)).toEqual({
      allowed: false,
      retryAfterSeconds: 30,
    });
    await age(email, 30);
    expect(await spendSignInAttempt(test.db, email, policy)).toEqual({ allowed: true });
    expect(await spendSignInAttempt(test.db, email, policy)).toEqual({
      allowed: false,
      retryAfterSeconds: 60,
    });
    await age(email, 60);
    expect(await spendSignInAttempt(test.db, email, policy)).toEqual({ allowed: true });
    expect(await spendSignInAttempt(test.db, email, policy)).toMatchObject({
      retryAfterSeconds: 100,
    });
  });

  it("lets exactly one of many concurrent attempts through once delays have started", async () => {
    const email = `${uniqueName("b")}@example.com`;
    for (let i = 0; i < policy.freeAttempts; i++) await spendSignInAttempt(test.db, email, policy);
    await age(email, 30);
    const uses = await Promise.all(
      Array.from({ length: 10 }, () => spendSignInAttempt(test.db, email, policy)),
    );
    expect(uses.filter((use) => use.allowed)).toHaveLength(1);
  });

  it("starts afresh after a successful sign-in, or after a quiet spell", async () => {
    const email = `${uniqueName("c")}@example.com`;
    for (let i = 0; i < policy.freeAttempts; i++) await spendSignInAttempt(test.db, email, policy);
    await clearSignInAttempts(test.db, email);
    for (let i = 0; i < policy.freeAttempts; i++) {
      expect(await spendSignInAttempt(test.db, email, policy)).toEqual({ allowed: true });
    }
    await age(email, policy.forgetAfterSeconds + 1);
    expect(await spendSignInAttempt(test.db, email, policy)).toEqual({ allowed: true });
  });
});
