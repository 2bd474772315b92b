import { describe, expect, it } from "vitest";
import { configJson, describeDomain, trialConfigRows } from "./trial-config.ts";

describe("trialConfigRows", () => {
  const searchSpace = {
    lr: { type: "float", low: 0.0001, high: 0.01, log: true },
    layers: { type: "int", low: 1, high: 4 },
  } as const;

  it("marks each setting searched, fixed or default, and lists them in that order", () => {
    const rows = trialConfigRows({
      fixed: { d_model: 32, lr: 0.5 },
      searchSpace,
      params: { lr: 0.003, layers: 2 },
      resolved: { lr: 0.003, batch_size: 16, layers: 2, d_model: 32, kv_heads: undefined },
    });
    expect(rows).toEqual([
      { name: "lr", value: 0.003, source: "searched", domain: "1.00e-4 to 0.01, log scale" },
      { name: "layers", value: 2, source: "searched", domain: "1 to 4" },
      { name: "d_model", value: 32, source: "fixed" },
      { name: "batch_size", value: 16, source: "default" },
    ]);
  });

  it("lists the spec's and trial's settings when the trainer's could not be read", () => {
    const rows = trialConfigRows({
      fixed: { d_model: 32 },
      searchSpace,
      params: { lr: -1 },
    });
    expect(rows.map((row) => [row.name, row.source])).toEqual([
      ["lr", "searched"],
      ["d_model", "fixed"],
    ]);
  });

  it("copies as a JSON object of setting to value", () => {
    const rows = trialConfigRows({
      fixed: { norm: "pre" },
      searchSpace,
      params: { lr: 0.003 },
    });
    expect(JSON.parse(configJson(rows))).toEqual({ norm: "pre", lr: 0.003 });
  });
});

describe("describeDomain", () => {
  it("says each kind of parameter's range in words", () => {
    expect(describeDomain({ type: "int", low: 16, high: 128, step: 16 })).toBe(
      "16 to 128, step 16",
    );
    expect(describeDomain({ type: "categorical", choices: ["pre", "post", true] })).toBe(
      "one of pre, post, true",
    );
    expect(describeDomain({ type: "fixed", value: 4 })).toBe("always 4");
  });
});
