import { describe, expect, it } from "vitest";
import { authPageHref, DEFAULT_NEXT, safeNextPath } from "./next-path.ts";

describe("safeNextPath", () => {
  it.each([
    ["/teams/abc", "/teams/abc"],
    ["/invitations/inv_1?x=1#top", "/invitations/inv_1?x=1#top"],
    ["/studies/9f0e?tab=trials&sort=value", "/studies/9f0e?tab=trials&sort=value"],
    ["/a/../runners", "/runners"],
  ])("follows the path %s", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    [null],
    [undefined],
    [""],
    ["teams"],
    ["https://evil.example/teams"],
    ["//evil.example/teams"],
    ["/\\evil.example"],
    ["/\t/evil.example"],
    ["javascript:alert(1)"],
    ["/sign-in?next=/teams"],
    ["/sign-up"],
    [`/${"a".repeat(3000)}`],
  ])("falls back for %j", (next) => {
    expect(safeNextPath(next)).toBe(DEFAULT_NEXT);
    expect(safeNextPath(next, "/x")).toBe("/x");
  });
});

describe("authPageHref", () => {
  it("keeps a safe place to come back to, and drops an unsafe one", () => {
    expect(authPageHref("/sign-up", "/invitations/abc")).toBe("/sign-up?next=%2Finvitations%2Fabc");
    expect(authPageHref("/sign-in", "https://evil.example")).toBe("/sign-in");
    expect(authPageHref("/sign-in", null)).toBe("/sign-in");
  });
});
