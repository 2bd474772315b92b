import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { parameterImportance } from "../../src/tuning/importance.ts";
import { buildParams, type SearchSpace, sampleUniform } from "../../src/tuning/space.ts";
import type { Direction, Params, StudyHistory } from "../../src/tuning/types.ts";

/** A study of `count` random trials completed with objective(params). */
function randomStudy(
  space: SearchSpace,
  objective: (params: Params, random: Random) => number,
  count: number,
  direction: Direction = "minimize",
): StudyHistory {
  const random = new Random(5);
  const trials = Array.from({ length: count }, (_, number) => {
    const params = buildParams(space, (_, param) => sampleUniform(param, random));
    return {
      number,
      params,
      state: "completed" as const,
      values: [objective(params, random)],
      intermediate: [],
    };
  });
  return { directions: [direction], trials };
}

const sum = (importances: Record<string, number>) =>
  Object.values(importances).reduce((total, value) => total + value, 0);

describe("parameterImportance", () => {
  it("finds the one parameter that matters: y = 10·x1 + 0.1·x2 + noise, x3 irrelevant", () => {
    const space: SearchSpace = {
      x1: { type: "float", low: 0, high: 1 },
      x2: { type: "float", low: 0, high: 1 },
      x3: { type: "float", low: 0, high: 1 },
    };
    const history = randomStudy(
      space,
      (p, random) => 10 * (p.x1 as number) + 0.1 * (p.x2 as number) + random.normal(0, 0.1),
      200,
    );
    const importance = parameterImportance(space, history);
    expect(sum(importance)).toBeCloseTo(1, 12);
    expect(importance.x1).toBeGreaterThan(0.8);
    expect(importance.x1).toBeGreaterThan(10 * Math.max(importance.x2 ?? 1, importance.x3 ?? 1));
    // Maximising the same function still singles out x1.
    const maximised = parameterImportance(space, { ...history, directions: ["maximize"] });
    expect(maximised.x1).toBeGreaterThan(0.8);
  });

  it("handles log scales, categorical and conditional parameters", () => {
    const space: SearchSpace = {
      lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
      optimizer: { type: "categorical", choices: ["adam", "sgd", "rmsprop"] },
      momentum: { type: "float", low: 0, high: 0.99, when: { optimizer: ["sgd"] } },
      layers: { type: "int", low: 1, high: 4 },
      seed: { type: "fixed", value: 1 },
    };
    // Best near lr = 1e-3 on the log scale, with adam; momentum and layers do nothing.
    const history = randomStudy(
      space,
      (p, random) =>
        (Math.log10(p.lr as number) + 3) ** 2 +
        (p.optimizer === "adam" ? 0 : 2) +
        random.normal(0, 0.05),
      300,
    );
    const importance = parameterImportance(space, history);
    expect(Object.keys(importance).sort()).toEqual(["layers", "lr", "momentum", "optimizer"]);
    expect(sum(importance)).toBeCloseTo(1, 12);
    const { lr = 0, optimizer = 0, momentum = 1, layers = 1 } = importance;
    expect(lr + optimizer).toBeGreaterThan(0.85);
    expect(Math.min(lr, optimizer)).toBeGreaterThan(2 * Math.max(momentum, layers));
  });

  it("needs completed trials and a known objective", () => {
    const space: SearchSpace = { x: { type: "float", low: 0, high: 1 } };
    expect(() => parameterImportance(space, { directions: ["minimize"], trials: [] })).toThrow(
      /at least 2 completed trials/,
    );
    const history = randomStudy(space, (p) => p.x as number, 10);
    expect(() => parameterImportance(space, history, { objective: 1 })).toThrow(/objective 1/);
  });
});
