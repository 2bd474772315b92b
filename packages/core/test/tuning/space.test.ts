import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import {
  activeParams,
  buildParams,
  contains,
  fitsSpace,
  fromUnit,
  isActive,
  type ParamSpec,
  paramsKey,
  type SearchSpace,
  sampleUniform,
  searchSpaceSchema,
  topologicalOrder,
  toUnit,
  validateSearchSpace,
} from "../../src/tuning/space.ts";

/** Declared child-first on purpose: order must come from the conditions, not the listing. */
const nested: SearchSpace = {
  step_gamma: { type: "float", low: 0.1, high: 0.9, when: { schedule: ["step"] } },
  step_size: { type: "int", low: 100, high: 1000, step: 100, when: { step_gamma: [0.5] } },
  schedule: { type: "categorical", choices: ["cosine", "step"] },
  lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
};

function messages(space: SearchSpace): string[] {
  return validateSearchSpace(space).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("search space validation", () => {
  it("accepts a nested conditional space", () => {
    expect(validateSearchSpace(nested)).toEqual([]);
  });

  it("rejects inverted ranges, log scales through zero and steps that do not divide", () => {
    expect(
      messages({
        a: { type: "float", low: 1, high: 1 },
        b: { type: "int", low: 0, high: 10, log: true },
        c: { type: "float", low: 0, high: 1, step: 0.3 },
        d: { type: "float", low: 1, high: 10, log: true, step: 1 },
        e: { type: "int", low: 0, high: 10, step: 20 },
      }),
    ).toEqual([
      "a.low: low (1) must be below high (1)",
      "b.low: a log scale needs low > 0, got 0",
      "c.step: step 0.3 does not divide the range [0, 1] into whole steps (3.333)",
      "d.step: a step cannot be combined with a log scale",
      "e.step: step 20 does not divide the range [0, 10] into whole steps (0.5)",
    ]);
  });

  it("accepts a step that divides the range up to floating-point noise", () => {
    expect(messages({ x: { type: "float", low: 0.1, high: 0.7, step: 0.2 } })).toEqual([]);
  });

  it("rejects duplicate choices and conditions on unknown parameters or values", () => {
    expect(
      messages({
        opt: { type: "categorical", choices: ["adam", "sgd", "adam"] },
        momentum: { type: "float", low: 0, high: 1, when: { opt: ["sdg"] } },
        beta: { type: "float", low: 0, high: 1, when: { optimiser: ["adam"] } },
      }),
    ).toEqual([
      'opt.choices: duplicate choice "adam"',
      'momentum.when.opt: "sdg" is not a value "opt" can take (one of "adam", "sgd", "adam")',
      'beta.when.optimiser: condition on unknown parameter "optimiser"',
    ]);
  });

  it("rejects conditions that form a cycle, and topologicalOrder refuses one", () => {
    const cyclic: SearchSpace = {
      a: { type: "int", low: 0, high: 3, when: { c: [1] } },
      b: { type: "int", low: 0, high: 3, when: { a: [1] } },
      c: { type: "int", low: 0, high: 3, when: { b: [1] } },
    };
    expect(messages(cyclic)).toEqual(["a.when: conditions form a cycle: a → c → b → a"]);
    expect(() => topologicalOrder(cyclic)).toThrow("a → c → b → a");
  });

  it("reports zod shape errors and semantic errors with paths through the schema", () => {
    const result = searchSpaceSchema.safeParse({
      lr: { type: "float", low: 1, high: 0.1 },
      opt: { type: "categorical", choices: [] },
      typo: { type: "float", low: 0, high: 1, lgo: true },
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => [issue.path.join("."), issue.message]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ["lr.low", "low (1) must be below high (0.1)"],
        ["opt.choices", "needs at least one choice"],
        ["typo", 'Unrecognized key: "lgo"'],
      ]),
    );
  });
});

describe("conditions", () => {
  it("orders parents before children", () => {
    const order = topologicalOrder(nested);
    expect(order.indexOf("schedule")).toBeLessThan(order.indexOf("step_gamma"));
    expect(order.indexOf("step_gamma")).toBeLessThan(order.indexOf("step_size"));
    expect(order).toHaveLength(4);
  });

  it("tells which parameters are active given partial params", () => {
    expect(activeParams(nested, {})).toEqual(["schedule", "lr"]);
    expect(activeParams(nested, { schedule: "cosine" })).toEqual(["schedule", "lr"]);
    expect(activeParams(nested, { schedule: "step" })).toEqual(["schedule", "step_gamma", "lr"]);
    expect(activeParams(nested, { schedule: "step", step_gamma: 0.5 })).toContain("step_size");
    // A nested child stays inactive when its parent is inactive, whatever the params say.
    expect(isActive(nested, "step_size", { schedule: "cosine" })).toBe(false);
  });

  it("builds configurations with exactly the active parameters", () => {
    const random = new Random(3);
    for (let i = 0; i < 200; i++) {
      const params = buildParams(nested, (_, param) => sampleUniform(param, random));
      expect(fitsSpace(nested, params)).toBe(true);
      expect("step_gamma" in params).toBe(params.schedule === "step");
    }
  });

  it("checks whether params fit a space", () => {
    expect(fitsSpace(nested, { schedule: "cosine", lr: 0.01 })).toBe(true);
    expect(fitsSpace(nested, { schedule: "cosine", lr: 0.5 })).toBe(false); // out of range
    expect(fitsSpace(nested, { schedule: "cosine" })).toBe(false); // lr missing
    expect(fitsSpace(nested, { schedule: "cosine", lr: 0.01, step_gamma: 0.5 })).toBe(false); // inactive
    expect(fitsSpace(nested, { schedule: "cosine", lr: 0.01, extra: 1 })).toBe(false);
  });
});

describe("distributions", () => {
  const params: Record<string, ParamSpec> = {
    float: { type: "float", low: -2, high: 3 },
    floatStep: { type: "float", low: 0, high: 1, step: 0.25 },
    floatLog: { type: "float", low: 1e-4, high: 1, log: true },
    int: { type: "int", low: -3, high: 4 },
    intStep: { type: "int", low: 0, high: 100, step: 25 },
    intLog: { type: "int", low: 1, high: 1000, log: true },
    categorical: { type: "categorical", choices: ["a", true, 3] },
    fixed: { type: "fixed", value: "x" },
  };

  it("samples only values each parameter can take", () => {
    const random = new Random(11);
    for (const param of Object.values(params)) {
      for (let i = 0; i < 500; i++)
        expect(contains(param, sampleUniform(param, random))).toBe(true);
    }
  });

  it("samples every value of a discrete parameter about equally, log scales by decade", () => {
    const random = new Random(5);
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 4000; i++) {
      const value = sampleUniform(params.intStep as ParamSpec, random);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => Number(a) - Number(b))).toEqual([0, 25, 50, 75, 100]);
    for (const count of counts.values()) expect(count).toBeGreaterThan(700);

    const draws = Array.from({ length: 4000 }, () =>
      Number(sampleUniform(params.floatLog as ParamSpec, random)),
    );
    const belowGeometricMiddle = draws.filter((x) => x < 1e-2).length / draws.length;
    expect(belowGeometricMiddle).toBeGreaterThan(0.46);
    expect(belowGeometricMiddle).toBeLessThan(0.54);
  });

  it("maps values to the unit interval and back", () => {
    for (const value of [-2, 0.5, 3]) {
      expect(
        fromUnit(params.float as ParamSpec, toUnit(params.float as ParamSpec, value)),
      ).toBeCloseTo(value);
    }
    for (const [name, values] of [
      ["floatStep", [0, 0.25, 0.5, 1]],
      ["int", [-3, 0, 4]],
      ["intStep", [0, 75, 100]],
      ["intLog", [1, 2, 37, 1000]],
      ["categorical", ["a", true, 3]],
    ] as const) {
      const param = params[name] as ParamSpec;
      for (const value of values) expect(fromUnit(param, toUnit(param, value))).toBe(value);
    }
    expect(fromUnit(params.floatLog as ParamSpec, 0.5)).toBeCloseTo(1e-2);
    expect(fromUnit(params.floatStep as ParamSpec, 1)).toBe(1);
    expect(fromUnit(params.fixed as ParamSpec, 0.3)).toBe("x");
  });

  it("keeps stepped floats free of floating-point noise", () => {
    const param: ParamSpec = { type: "float", low: 0, high: 1, step: 0.1 };
    const values = Array.from({ length: 11 }, (_, k) => fromUnit(param, (k + 0.5) / 11));
    expect(values).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
});

it("keys params independently of their order", () => {
  expect(paramsKey({ a: 1, b: "x" })).toBe(paramsKey({ b: "x", a: 1 }));
  expect(paramsKey({ a: 1 })).not.toBe(paramsKey({ a: "1" }));
});
