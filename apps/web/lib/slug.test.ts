import { describe, expect, it } from "vitest";
import { isValidSlug, SLUG_MAX_LENGTH, slugify } from "./slug.ts";

describe("slugify", () => {
  it.each([
    ["Language Models", "language-models"],
    ["  Ünïcode & Friends' Lab  ", "unicode-friends-lab"],
    ["GPT--2 / small", "gpt-2-small"],
    ["!!!", ""],
    ["Team 42", "team-42"],
  ])("%j → %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("gives a slug the API accepts, never ending in a hyphen when cut short", () => {
    const slug = slugify(`${"a".repeat(SLUG_MAX_LENGTH - 1)} bcd`);
    expect(slug).toBe("a".repeat(SLUG_MAX_LENGTH - 1));
    expect(isValidSlug(slug)).toBe(true);
  });
});

describe("isValidSlug", () => {
  it.each(["a", "a-b", "team-42"])("accepts %j", (slug) => expect(isValidSlug(slug)).toBe(true));
  it.each(["", "A", "a--b", "-a", "a-", "a_b", "a".repeat(SLUG_MAX_LENGTH + 1)])(
    "refuses %j",
    (slug) => expect(isValidSlug(slug)).toBe(false),
  );
});
