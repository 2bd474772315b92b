import { describe, expect, it } from "vitest";
import { formatAxisValue, formatCount, plural, rangeDecimals } from "./format.ts";

describe("formatAxisValue", () => {
  it("writes large values compactly and small ones as metrics read", () => {
    expect(formatAxisValue(100_000)).toBe("100K");
    expect(formatAxisValue(1_200_000)).toBe("1.2M");
    expect(formatAxisValue(12_500)).toBe("12.5K");
    expect(formatAxisValue(-3_000)).toBe("-3K");
    expect(formatAxisValue(950)).toBe("950");
    expect(formatAxisValue(3.125)).toBe("3.125");
    expect(formatAxisValue(0.0001)).toBe("1.00e-4");
  });
});

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
