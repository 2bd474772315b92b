import { describe, expect, it } from "vitest";
import { settingErrors } from "../../src/trial/setting-errors.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";

function errors(fixed: Record<string, unknown>, searchSpace: SearchSpace = {}) {
  return settingErrors({ fixed: fixed as Record<string, never>, searchSpace });
}

describe("settingErrors", () => {
  it("accepts values the trainer takes", () => {
    expect(
      errors(
        { lr: 3e-4, optimizer: "adam", tie_embeddings: false, layers: 2 },
        {
          d_model: { type: "int", low: 64, high: 256, step: 64 },
          lr: { type: "float", low: 1e-4, high: 1e-2, log: true },
          schedule: { type: "categorical", choices: ["cosine", "step"] },
          step_gamma: { type: "fixed", value: 0.5, when: { schedule: ["step"] } },
        },
      ),
    ).toEqual([]);
  });

  it("names unknown settings", () => {
    expect(errors({ learning_rate: 0.1 }, { depth: { type: "int", low: 1, high: 4 } })).toEqual([
      { path: "fixed.learning_rate", message: '"learning_rate" is not a training setting' },
      { path: "searchSpace.depth", message: '"depth" is not a training setting' },
    ]);
  });

  it("says what is wrong with a value, and what the setting is, from its schema", () => {
    const [lr, optimizer, layers] = errors({ lr: -1, optimizer: "adan", layers: 2.5 });
    expect(lr).toEqual({
      path: "fixed.lr",
      message: expect.stringMatching(/^Too small.*>0, got -1 \(lr: Peak learning rate\.\)$/),
    });
    expect(optimizer?.path).toBe("fixed.optimizer");
    expect(optimizer?.message).toMatch(/"adam"\|"adamw"\|"sgd".*got "adan"/);
    expect(layers).toMatchObject({ path: "fixed.layers", message: /whole number, got 2\.5/ });
  });

  it("checks a range's bounds, each choice, and the parameter's type", () => {
    expect(
      errors(
        {},
        {
          dropout: { type: "float", low: 0, high: 1 },
          batch_size: { type: "categorical", choices: [16, 0] },
          layers: { type: "float", low: 1, high: 4 },
          norm: { type: "int", low: 0, high: 1 },
        },
      ).map((error) => error.path),
    ).toEqual([
      "searchSpace.dropout.high",
      "searchSpace.batch_size.choices[1]",
      "searchSpace.layers.type",
      "searchSpace.norm.type",
    ]);
  });
});
