import { describe, expect, it } from "vitest";
import { trialMetrics } from "../../../src/trial/metric-definitions.ts";
import {
  measuredConstraintValues,
  measuredValues,
  settingCheck,
  settingValues,
  studyConstraints,
  violations,
} from "../../../src/tuning/constraints/study-constraints.ts";
import {
  parseStudySpec,
  type StudySpecInput,
  validateStudySpec,
} from "../../../src/tuning/spec.ts";

const base: StudySpecInput = {
  name: "constrained",
  task: "language-modelling",
  dataset: "moby-dick",
  objectives: [{ metric: "val_loss", direction: "minimize" }],
  fixed: { seq_len: 128, schedule: "cosine" },
  searchSpace: {
    d_model: { type: "int", low: 32, high: 256, step: 32 },
    heads: { type: "categorical", choices: [1, 2, 3, 4, 6, 8] },
    activation: { type: "categorical", choices: ["gelu", "relu"] },
    step_size: { type: "int", low: 10, high: 100, when: { activation: ["relu"] } },
  },
  sampler: { kind: "random" },
  budget: { trials: 10, stepsPerTrial: 10 },
};

function spec(constraints: string[]) {
  const result = validateStudySpec({ ...base, constraints });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

function errors(constraints: string[]) {
  const result = validateStudySpec({ ...base, constraints });
  if (result.ok) throw new Error("expected the constraints to be refused");
  return result.errors;
}

describe("a study's constraints", () => {
  it("are absent by default, and may name settings searched, fixed or defaulted, and measured values", () => {
    expect(validateStudySpec(base)).toMatchObject({ ok: true, spec: { constraints: [] } });
    const parsed = studyConstraints(
      spec([
        "d_model % heads == 0",
        "batch_size * seq_len <= 65536",
        "param_count <= 20e6",
        "tokens_per_s >= 100 * heads",
      ]),
    );
    expect(parsed.map((constraint) => constraint.measured)).toEqual([false, false, true, true]);
  });

  it("refuses a bad one at constraints[i], saying the column, or the names it may use", () => {
    expect(errors(["d_model % heads == 0", "d_model % heads = 0"])).toEqual([
      {
        path: "constraints[1]",
        message: 'column 17: unexpected "=" (to compare, write "==")',
      },
    ]);
    const [unknown] = errors(["peak_memory_mb <= 4000"]);
    expect(unknown?.path).toBe("constraints[0]");
    expect(unknown?.message).toMatch(
      /^unknown name "peak_memory_mb": a constraint reads the study's settings \(lr, batch_size, .*, seq_len, .*, d_model, heads, .*, step_size\) and measured values \(param_count, flops_per_token, tokens_per_s\)$/,
    );
    expect(errors(["headz + dmodel < 3"])[0]?.message).toMatch(
      /^unknown names "headz", "dmodel": /,
    );
    expect(errors(["activation == 1"])[0]?.message).toBe(
      '"activation" is not a number in this study (it can be "gelu"); constraints compare numbers',
    );
    expect(errors(["schedule >= 0"])[0]?.message).toMatch(/^"schedule" is not a number/);
    expect(errors(["param_count != 20e6"])[0]?.message).toBe(
      "!= cannot say how far a measured value is from satisfying it; use <=, <, >=, > or ==",
    );
    expect(errors([" "])[0]?.path).toBe("constraints[0]");
  });

  it("points a YAML spec's bad constraint at its line", () => {
    const yaml = `name: constrained
task: language-modelling
dataset: moby-dick
objectives: [{ metric: val_loss, direction: minimize }]
searchSpace:
  heads: { type: int, low: 1, high: 8 }
constraints:
  - heads <= 4
  - heads <= 4 heads
sampler: { kind: random }
budget: { trials: 10, stepsPerTrial: 10 }
`;
    expect(parseStudySpec(yaml)).toEqual({
      ok: false,
      errors: [
        {
          path: "constraints[1]",
          message: 'column 12: expected the end or an operator, found "heads"',
          line: 9,
        },
      ],
    });
  });

  it("reads only metrics trials report", () => {
    for (const name of Object.keys(measuredValues)) expect(trialMetrics).toHaveProperty(name);
  });

  it("checks setting constraints on defaults, fixed settings and parameters, skipping absent ones", () => {
    const check = settingCheck(
      spec(["d_model % heads == 0", "batch_size * seq_len <= 2048", "step_size >= 50"]),
    );
    if (check === undefined) throw new Error("expected a check");
    // batch_size defaults to 16, seq_len is fixed at 128: 2048.
    expect(check({ d_model: 96, heads: 3, activation: "gelu" })).toEqual([]);
    expect(check({ d_model: 64, heads: 6, activation: "gelu" }).map((c) => c.text)).toEqual([
      "d_model % heads == 0",
    ]);
    expect(
      check({ d_model: 96, heads: 4, activation: "relu", step_size: 10 }).map((c) => c.text),
    ).toEqual(["step_size >= 50"]);
    expect(settingValues(spec([]), { d_model: 64 })).toMatchObject({
      d_model: 64,
      seq_len: 128,
      batch_size: 16,
    });
    expect(settingValues(spec([]), {})).not.toHaveProperty("step_size");
    expect(settingCheck(spec(["param_count <= 1e6"]))).toBeUndefined();
  });

  it("turns measured constraints into Optuna's values, unknown while a value is missing", () => {
    const constraints = studyConstraints(
      spec(["d_model % heads == 0", "param_count <= 20e6", "tokens_per_s >= 1000 * heads"]),
    );
    const settings = settingValues(spec([]), { d_model: 64, heads: 4 });
    const values = measuredConstraintValues(constraints, settings, {
      param_count: 25e6,
      tokens_per_s: 5000,
    });
    expect(values).toEqual([5e6, -1000]);
    expect(violations(constraints, values ?? [])).toEqual([
      { constraint: "param_count <= 20e6", by: 5e6 },
    ]);
    expect(measuredConstraintValues(constraints, settings, { param_count: 1 })).toBeUndefined();
  });
});
