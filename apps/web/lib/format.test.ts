import { describe, expect, it } from "vitest";
import { formatCount, plural, rangeDecimals } from "./format.ts";

describe("rangeDecimals", () => {
  it("gives the decimals that tell a range's ends apart", () => {
    expect(rangeDecimals(3.08, 3.16)).toBe(3);
    expect(rangeDecimals(0.5, 4.2)).toBe(1);
    expect(rangeDecimals(2, 70)).toBe(0);
    expect(rangeDecimals(1e-7, 2e-7)).toBe(8);
    expect(rangeDecimals(3, 3)).toBe(0);
    expect((3.08).toFixed(rangeDecimals(3.08, 3.16))).not.toBe(
      (3.16).toFixed(rangeDecimals(3.08, 3.16)),
    );
  });
});

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
