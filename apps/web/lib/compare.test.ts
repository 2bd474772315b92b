import { describe, expect, it } from "vitest";
import { compareHref, diffConfigs, MAX_COMPARED, parseTrialIds } from "./compare.ts";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("parseTrialIds", () => {
  it("reads ids once each, in order, ignoring blanks and anything that is not an id", () => {
    expect(parseTrialIds(` ${id(2)},${id(1)},,nope,${id(2).toUpperCase()}`)).toEqual([
      id(2),
      id(1),
    ]);
    expect(parseTrialIds(null)).toEqual([]);
    expect(parseTrialIds("")).toEqual([]);
  });

  it("keeps at most MAX_COMPARED", () => {
    const many = Array.from({ length: MAX_COMPARED + 3 }, (_, n) => id(n)).join(",");
    expect(parseTrialIds(many)).toHaveLength(MAX_COMPARED);
  });

  it("round-trips through the compare link", () => {
    const href = compareHref("s", [id(1), id(2)]);
    expect(href).toBe(`/studies/s/compare?trials=${id(1)},${id(2)}`);
    expect(parseTrialIds(new URL(href, "http://x").searchParams.get("trials"))).toEqual([
      id(1),
      id(2),
    ]);
    expect(compareHref("s", [])).toBe("/studies/s/compare");
  });
});

describe("diffConfigs", () => {
  it("marks settings whose values differ, or that only some configurations have", () => {
    const rows = diffConfigs([
      { lr: 0.01, layers: 2, schedule: { kind: "cosine" }, dropout: 0 },
      { lr: 0.01, layers: 4, schedule: { kind: "cosine" } },
      { lr: 0.01, layers: 2, schedule: { kind: "cosine" }, dropout: 0 },
    ]);
    expect(rows).toEqual([
      { name: "lr", values: [0.01, 0.01, 0.01], differs: false },
      { name: "layers", values: [2, 4, 2], differs: true },
      {
        name: "schedule",
        values: [{ kind: "cosine" }, { kind: "cosine" }, { kind: "cosine" }],
        differs: false,
      },
      { name: "dropout", values: [0, undefined, 0], differs: true },
    ]);
  });

  it("tells 1 from '1' and treats NaN as equal to itself", () => {
    expect(diffConfigs([{ a: 1 }, { a: "1" }])[0]?.differs).toBe(true);
    expect(diffConfigs([{ a: Number.NaN }, { a: Number.NaN }])[0]?.differs).toBe(false);
    expect(diffConfigs([{ a: 1 }])[0]?.differs).toBe(false);
    expect(diffConfigs([])).toEqual([]);
  });
});
