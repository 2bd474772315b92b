import { describe, expect, it } from "vitest";
import { formatCount, plural } from "./format.ts";

describe("formatCount", () => {
  it("writes counts in full", () => {
    expect(formatCount(1_216_578)).toBe("1,216,578");
    expect(formatCount(42)).toBe("42");
    expect(formatCount(undefined)).toBe("–");
  });
});

describe("plural", () => {
  it("agrees with the count", () => {
    expect(plural(1, "sample")).toBe("1 sample");
    expect(plural(6046, "sample")).toBe("6,046 samples");
    expect(plural(2, "study", "studies")).toBe("2 studies");
  });
});
