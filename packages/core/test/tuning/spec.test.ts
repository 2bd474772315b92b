import { describe, expect, it } from "vitest";
import { parseStudySpec, type SpecError, validateStudySpec } from "../../src/tuning/spec.ts";

const valid = `name: small-gpt-lr
task: language-modelling
dataset: tiny-shakespeare
objectives:
  - metric: val_loss
    direction: minimize
fixed:
  batch_size: 32
searchSpace:
  lr: { type: float, low: 1.0e-5, high: 1.0e-2, log: true }
  schedule: { type: categorical, choices: [cosine, step] }
  step_gamma:
    type: float
    low: 0.1
    high: 0.9
    when: { schedule: [step] }
sampler: { kind: tpe, startupTrials: 5 }
pruner: { kind: asha, minResource: 100, maxResource: 2700 }
budget: { trials: 50, parallelTrials: 2, stepsPerTrial: 2700, wallTimeMinutes: 120 }
seed: 7
`;

function errors(text: string): SpecError[] {
  const result = parseStudySpec(text);
  if (result.ok) throw new Error("expected the spec to be rejected");
  return result.errors;
}

/** The valid spec with one line replaced. */
function edit(from: string, to: string): string {
  if (!valid.includes(from)) throw new Error(`no "${from}" in the spec`);
  return valid.replace(from, to);
}

describe("study spec", () => {
  it("parses YAML and fills in defaults", () => {
    const result = parseStudySpec(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.sampler).toEqual({
      kind: "tpe",
      startupTrials: 5,
      eiCandidates: 24,
      goodFraction: 0.1,
      maxGoodTrials: 25,
      priorWeight: 1,
      multivariate: false,
      constantLiar: true,
    });
    expect(result.spec.pruner).toEqual({
      kind: "asha",
      minResource: 100,
      maxResource: 2700,
      reductionFactor: 3,
      mode: "pause",
    });
    expect(result.spec.searchSpace.step_gamma?.when).toEqual({ schedule: ["step"] });
  });

  it("parses the same spec written as JSON, and validates an object", () => {
    const parsed = parseStudySpec(valid);
    if (!parsed.ok) throw new Error("valid spec rejected");
    const json = JSON.stringify(parsed.spec, null, 2);
    expect(parseStudySpec(json)).toEqual(parsed);
    expect(validateStudySpec(JSON.parse(json))).toEqual(parsed);
    const minimal = {
      name: "n",
      task: "classification",
      dataset: "spam",
      objectives: [{ metric: "accuracy", direction: "maximize" }],
      searchSpace: { lr: { type: "float", low: 0.001, high: 0.1 } },
      sampler: { kind: "random" },
      budget: { trials: 10, tokensPerTrial: 100000 },
    };
    const result = validateStudySpec(minimal);
    expect(result.ok && result.spec.pruner).toEqual({ kind: "none" });
  });

  it("names the field, the problem and the line of each error", () => {
    const text = edit(
      "  lr: { type: float, low: 1.0e-5, high: 1.0e-2, log: true }",
      "  lr: { type: float, low: 1.0e-2, high: 1.0e-5, log: true, lgo: true }",
    ).replace("direction: minimize", "direction: minimise");
    expect(errors(text)).toEqual([
      {
        path: "objectives[0].direction",
        message: 'Invalid option: expected one of "minimize"|"maximize"',
        line: 6,
      },
      { path: "searchSpace.lr.lgo", message: "unknown field", line: 10 },
      { path: "searchSpace.lr.low", message: "low (0.01) must be below high (0.00001)", line: 10 },
    ]);
    // Range checks run once the parameter's shape is right.
    expect(errors(edit("1.0e-5, high: 1.0e-2", "1.0e-2, high: 1.0e-5"))).toEqual([
      { path: "searchSpace.lr.low", message: "low (0.01) must be below high (0.00001)", line: 10 },
    ]);
  });

  it("catches typos in field names anywhere, as unknown fields", () => {
    expect(errors(edit("seed: 7", "sed: 7"))).toEqual([
      { path: "sed", message: "unknown field", line: 20 },
    ]);
    expect(errors(edit("startupTrials: 5", "nStartup: 5"))).toEqual([
      { path: "sampler.nStartup", message: "unknown field", line: 17 },
    ]);
    expect(errors(edit("    high: 0.9\n", "    hihg: 0.9\n"))).toEqual([
      { path: "searchSpace.step_gamma.high", message: "required (number)", line: 12 },
      { path: "searchSpace.step_gamma.hihg", message: "unknown field", line: 15 },
    ]);
  });

  it("reports missing fields, bad kinds and invalid search spaces", () => {
    expect(errors(edit("dataset: tiny-shakespeare\n", ""))).toEqual([
      { path: "dataset", message: "required (string)", line: 1 },
    ]);
    expect(errors(edit("kind: tpe", "kind: bayes"))[0]).toMatchObject({
      path: "sampler.kind",
      line: 17,
    });
    expect(errors(edit("when: { schedule: [step] }", "when: { schedule: [stepp] }"))).toEqual([
      {
        path: "searchSpace.step_gamma.when.schedule",
        message: '"stepp" is not a value "schedule" can take (one of "cosine", "step")',
        line: 16,
      },
    ]);
    expect(
      errors(
        edit("choices: [cosine, step] }", "choices: [cosine, step], when: { step_gamma: [0.5] } }"),
      ),
    ).toEqual([
      {
        path: "searchSpace.schedule.when",
        message: "conditions form a cycle: schedule → step_gamma → schedule",
        line: 11,
      },
    ]);
    expect(errors(edit("choices: [cosine, step]", "choices: []"))[0]).toEqual({
      path: "searchSpace.schedule.choices",
      message: "needs at least one choice",
      line: 11,
    });
  });

  it("checks fields against each other", () => {
    const twoObjectives = edit(
      "    direction: minimize\n",
      "    direction: minimize\n  - metric: tokens_per_second\n    direction: maximize\n",
    );
    expect(errors(twoObjectives)).toEqual([
      {
        path: "sampler.kind",
        message: "tpe optimises one objective, the study has 2; use nsga2",
        line: 19,
      },
      {
        path: "pruner.kind",
        message: "asha prunes on one objective, the study has 2; use multi-objective",
        line: 20,
      },
    ]);
    const multiObjective = edit(
      "pruner: { kind: asha, minResource: 100, maxResource: 2700 }",
      "pruner: { kind: multi-objective, dominatedBy: 2 }",
    );
    expect(errors(multiObjective)).toEqual([
      {
        path: "pruner.kind",
        message: "multi-objective needs several objectives; use median or asha",
        line: 18,
      },
    ]);
    const bothObjectives = multiObjective
      .replace("kind: tpe, startupTrials: 5", "kind: nsga2")
      .replace(
        "    direction: minimize\n",
        "    direction: minimize\n  - metric: tokens_per_second\n    direction: maximize\n",
      );
    expect(parseStudySpec(bothObjectives)).toMatchObject({
      ok: true,
      spec: { pruner: { kind: "multi-objective", dominatedBy: 2, startupTrials: 5 } },
    });
    // BOHB's budgets are the hyperband pruner's rungs (Falkner et al. 2018 run it inside Hyperband).
    const bohb = edit("sampler: { kind: tpe, startupTrials: 5 }", "sampler: { kind: bohb }");
    expect(errors(bohb)).toEqual([
      {
        path: "pruner.kind",
        message:
          "the bohb sampler needs the hyperband pruner, whose rungs are its budgets, not asha: pruner: { kind: hyperband, minResource, maxResource }",
        line: 18,
      },
    ]);
    expect(parseStudySpec(bohb.replace("kind: asha", "kind: hyperband"))).toMatchObject({
      ok: true,
      spec: { sampler: { kind: "bohb", randomFraction: 1 / 3 }, pruner: { kind: "hyperband" } },
    });
    expect(errors(edit("  batch_size: 32", "  lr: 0.001"))).toEqual([
      { path: "fixed.lr", message: '"lr" is both fixed and in the search space', line: 8 },
    ]);
    expect(
      errors(edit("sampler: { kind: tpe, startupTrials: 5 }", "sampler: { kind: grid }")),
    ).toEqual([
      {
        path: "searchSpace.lr",
        message:
          'grid sampler: float parameter "lr" has no step; give it a step or set the sampler\'s gridPoints',
        line: 10,
      },
      {
        path: "searchSpace.step_gamma",
        message:
          'grid sampler: float parameter "step_gamma" has no step; give it a step or set the sampler\'s gridPoints',
        line: 12,
      },
    ]);
    expect(errors(edit("stepsPerTrial: 2700", "stepsPerTrial: 2700, tokensPerTrial: 10"))).toEqual([
      {
        path: "budget.stepsPerTrial",
        message: "give exactly one of stepsPerTrial and tokensPerTrial",
        line: 19,
      },
    ]);
    expect(errors(edit("maxResource: 2700", "maxResource: 10"))).toEqual([
      {
        path: "pruner.minResource",
        message: "minResource (100) must be below maxResource (10)",
        line: 18,
      },
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const [error] = errors(edit("choices: [cosine, step] }", "choices: [cosine, step }"));
    expect(error?.path).toBe("");
    expect(error?.line).toBe(11);
    expect(errors("")).toEqual([
      { path: "", message: "Invalid input: expected object, received null" },
    ]);
  });

  it("refuses YAML whose aliases expand beyond reason, with the reason", () => {
    const laughs = [
      'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
      ..."bcdefgh".split("").map((name, i) => {
        const previous = "abcdefg"[i];
        return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`;
      }),
    ].join("\n");
    expect(errors(laughs)).toEqual([
      {
        path: "",
        message: "unreadable YAML: Excessive alias count indicates a resource exhaustion attack",
      },
    ]);
  });

  it("takes a name of one visible line of at most 100 characters", () => {
    const nameErrors = (name: string) =>
      errors(edit("name: small-gpt-lr", `name: ${JSON.stringify(name)}`)).map(
        (error) => `${error.path}: ${error.message}`,
      );
    expect(nameErrors("x".repeat(100_000))).toEqual([
      "name: Too big: expected string to have <=100 characters",
    ]);
    expect(nameErrors("\u200b\u200c\u2060")).toEqual(["name: must contain a visible character"]);
    for (const name of ["two\nlines", "bell\u0007", "flip\u202eeman"]) {
      expect(nameErrors(name)).toEqual([
        "name: must not contain control characters, line breaks or direction overrides",
      ]);
    }
    const named = parseStudySpec(edit("name: small-gpt-lr", 'name: "  lr 🧪 é  "'));
    expect(named.ok && named.spec.name).toBe("lr 🧪 é");
  });
});

describe("a study that starts from a pretrained model", () => {
  const fromModel = edit(
    "dataset: tiny-shakespeare",
    "dataset: tiny-shakespeare\nmodel: gpt2-small",
  );

  it("may tune training and fine-tuning settings", () => {
    expect(parseStudySpec(fromModel)).toMatchObject({ ok: true, spec: { model: "gpt2-small" } });
  });

  it("may not set the model's architecture or tokenizer, nor classify", () => {
    const architecture = fromModel
      .replace("  batch_size: 32", "  batch_size: 32\n  d_model: 64")
      .replace(
        "searchSpace:",
        "searchSpace:\n  tokenizer: { type: categorical, choices: [char, byte] }",
      );
    expect(errors(architecture)).toEqual([
      expect.objectContaining({
        path: "fixed.d_model",
        message: expect.stringContaining('"d_model" comes from the model "gpt2-small"'),
      }),
      expect.objectContaining({ path: "searchSpace.tokenizer" }),
    ]);
    expect(errors(fromModel.replace("task: language-modelling", "task: classification"))).toEqual([
      expect.objectContaining({
        path: "model",
        message: expect.stringContaining("cannot start from a pretrained model"),
      }),
    ]);
  });
});
