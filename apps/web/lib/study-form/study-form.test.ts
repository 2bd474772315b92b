import {
  importWandbSweep,
  knownSettings,
  narrowLrBounds,
  objectiveMetrics,
  parseStudySpec,
  trialSettingsSchema,
} from "@attune/core/spec";
import { describe, expect, it } from "vitest";
import { OBJECTIVE_METRICS, prunersFor, SETTINGS, samplersFor, summaryOf } from "./catalogue.ts";
import {
  applyLrBounds,
  attentionKind,
  lrTestModel,
  lrTestTrialSettings,
  mergeWandbImport,
  setObjectives,
  specWithLrBounds,
  withAttentionKind,
} from "./form-edits.ts";
import { defaultStudyForm, type ParamRow, type StudyForm } from "./form-state.ts";
import { activeSchedules, formToSpec } from "./form-to-spec.ts";
import { detectFormat, errorField, offsetOfLine, readSpecText, specToText } from "./spec-text.ts";
import { differences, specToForm } from "./spec-to-form.ts";
import { parseChoices, parseValue } from "./values.ts";

function withRow(form: StudyForm, name: string, partial: Partial<ParamRow>): StudyForm {
  return {
    ...form,
    settings: { ...form.settings, [name]: { ...(form.settings[name] as ParamRow), ...partial } },
  };
}

/** Form → text → form, as the page does when the editor's text changes. */
function throughText(form: StudyForm, format: "yaml" | "json") {
  const text = specToText(formToSpec(form), format);
  const read = readSpecText(text);
  if (!read.ok) throw new Error(read.message);
  return { text, ...specToForm(read.value, defaultStudyForm()) };
}

describe("the catalogue", () => {
  it("names exactly the trainer's settings", () => {
    expect(SETTINGS.map((setting) => setting.name).sort()).toEqual([...knownSettings].sort());
  });

  it("shows each setting's default as core's schema fills it in", () => {
    // Read by parsing an empty record, not from the catalogue's own source (JSON Schema).
    const defaults = trialSettingsSchema.parse({}) as Record<string, unknown>;
    for (const setting of SETTINGS) {
      const value = defaults[setting.name];
      if (value !== undefined) expect(setting.defaultText, setting.name).toBe(String(value));
      else expect(setting.defaultText, setting.name).toMatch(/[a-z]/);
    }
    const row = defaultStudyForm().settings;
    expect(row.grad_clip?.value).toBe(String(defaults.grad_clip));
    expect(row.epsilon?.log).toBe(true);
  });

  it("offers exactly the metrics a study may optimise", () => {
    expect(OBJECTIVE_METRICS.map((entry) => entry.metric).sort()).toEqual(
      [...objectiveMetrics].sort(),
    );
    expect(OBJECTIVE_METRICS.find((entry) => entry.metric === "val_accuracy")).toMatchObject({
      direction: "maximize",
      tasks: ["classification"],
    });
  });

  it("gives every setting a one-line summary: its description's first sentence", () => {
    for (const setting of SETTINGS) {
      const summary = summaryOf(setting) as string;
      expect(summary, setting.name).toMatch(/^\S.*[.!?]$/);
      expect(setting.description?.startsWith(summary), setting.name).toBe(true);
    }
    const twoSentences = { ...(SETTINGS[0] as (typeof SETTINGS)[number]) };
    twoSentences.description = "Peak rate, e.g. 3e-4. Decays after the warmup.";
    expect(summaryOf(twoSentences)).toBe("Peak rate, e.g. 3e-4.");
  });

  it("offers the samplers and pruners that suit the objectives", () => {
    expect(samplersFor(1)).toContain("tpe");
    expect(samplersFor(2)).not.toContain("tpe");
    expect(prunersFor(1)).not.toContain("multi-objective");
    expect(prunersFor(2)).toEqual(["none", "multi-objective", "threshold"]);
  });
});

describe("the default form", () => {
  it("is a valid spec, in YAML and in JSON", () => {
    const spec = formToSpec(defaultStudyForm({ dataset: "moby-dick" }));
    for (const format of ["yaml", "json"] as const) {
      const result = parseStudySpec(specToText(spec, format));
      expect(result.ok ? [] : result.errors).toEqual([]);
    }
  });

  it("is a small study: a few trials of a few hundred steps, the LR log-uniform", () => {
    const spec = formToSpec(defaultStudyForm({ dataset: "d" }));
    expect(spec.budget).toEqual({ trials: 8, parallelTrials: 2, stepsPerTrial: 200 });
    expect((spec.searchSpace as Record<string, unknown>).lr).toEqual({
      type: "float",
      low: 0.0001,
      high: 0.01,
      log: true,
    });
    expect(spec.fixed).toMatchObject({ schedule: "cosine", warmup_steps: 20 });
    // The trainer's default: about ten evaluations a trial, whatever its length.
    expect(spec.fixed).not.toHaveProperty("eval_every");
  });

  it("writes lists of values on one line in YAML", () => {
    const text = specToText(formToSpec(defaultStudyForm({ dataset: "d" })), "yaml");
    expect(text).toContain("choices: [ 16, 32 ]");
    expect(text).toContain("dataset: d\n");
  });
});

describe("round trips", () => {
  it("brings every mode of a row back through YAML and JSON", () => {
    let form = defaultStudyForm({ name: "round", dataset: "samples" });
    form = withRow(form, "lr", { mode: "fixed", value: "0.003" });
    form = withRow(form, "layers", { mode: "range", low: "1", high: "5", step: "2", log: false });
    form = withRow(form, "d_model", { mode: "range", low: "32", high: "256", log: true, step: "" });
    form = withRow(form, "norm", { mode: "choices", choices: "pre, post" });
    form = withRow(form, "tie_embeddings", { mode: "fixed", value: "false" });
    form = withRow(form, "schedule", { mode: "choices", choices: "step, exponential" });
    form = withRow(form, "step_gamma", { mode: "fixed", value: "0.5" });
    form = withRow(form, "staircase", { mode: "fixed", value: "true" });
    form = withRow(form, "kv_heads", { mode: "fixed", value: "1" });
    form = setObjectives(form, [
      { metric: "val_loss", direction: "minimize" },
      { metric: "tokens_per_s", direction: "maximize" },
    ]);
    form = { ...form, budget: { ...form.budget, unit: "tokens", length: "100000" }, seed: "7" };
    const spec = formToSpec(form);
    for (const format of ["yaml", "json"] as const) {
      const back = throughText(form, format);
      expect(back.editorOnly).toEqual([]);
      expect(formToSpec(back.form)).toEqual(spec);
    }
    const result = parseStudySpec(specToText(spec, "yaml"));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it("reads the API tests' example spec whole", () => {
    const spec = {
      name: "draft",
      task: "language-modelling",
      dataset: "samples",
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      searchSpace: { lr: { type: "float", low: 0.0001, high: 0.01, log: true } },
      sampler: { kind: "random" },
      budget: { trials: 4, stepsPerTrial: 10 },
    };
    const { form, editorOnly } = specToForm(spec, defaultStudyForm());
    expect(editorOnly).toEqual([]);
    expect(form.settings.batch_size?.mode).toBe("default");
    expect(form.pruner).toBe("none");
    expect(formToSpec(form)).toEqual({ ...spec, pruner: { kind: "none" } });
  });

  it("keeps a sampler's and a pruner's settings, and leaves blank ones out", () => {
    const form: StudyForm = {
      ...defaultStudyForm({ dataset: "d" }),
      sampler: "nsga2",
      pruner: "asha",
    };
    form.samplerSettings.nsga2 = { populationSize: "12", crossover: "uniform", sbxEta: "" };
    form.prunerSettings.asha = { minResource: "10", maxResource: "90", mode: "prune" };
    const spec = formToSpec(form);
    expect(spec.sampler).toEqual({ kind: "nsga2", populationSize: 12, crossover: "uniform" });
    expect(spec.pruner).toEqual({ kind: "asha", minResource: 10, maxResource: 90, mode: "prune" });
    expect(throughText(form, "yaml").editorOnly).toEqual([]);
  });
});

describe("constraints", () => {
  it("go into the spec as typed, blank ones left out, and come back through the text", () => {
    const form = {
      ...defaultStudyForm({ dataset: "d" }),
      constraints: ["  batch_size * seq_len <= 65536 ", "", "param_count <= 20e6"],
    };
    const spec = formToSpec(form);
    expect(spec.constraints).toEqual(["batch_size * seq_len <= 65536", "param_count <= 20e6"]);
    const parsed = parseStudySpec(specToText(spec, "yaml"));
    expect(parsed).toMatchObject({ ok: true, spec: { constraints: spec.constraints } });
    const back = throughText(form, "yaml");
    expect(back.editorOnly).toEqual([]);
    expect(back.form.constraints).toEqual(spec.constraints);
    expect(formToSpec(defaultStudyForm())).not.toHaveProperty("constraints");
    expect(specToForm({ ...formToSpec(form), constraints: [] }, form).form.constraints).toEqual([]);
  });

  it("have their errors shown at the constraints", () => {
    expect(errorField("constraints[1]")).toBe("constraints");
  });
});

describe("specs the form cannot show", () => {
  const base = () => formToSpec(defaultStudyForm({ dataset: "d" }));

  it("names conditions, warm starts, unknown settings and search-space constants", () => {
    const spec = base();
    spec.searchSpace = {
      ...(spec.searchSpace as object),
      dropout: { type: "float", low: 0, high: 0.2, when: { layers: [3] } },
      heads: { type: "fixed", value: 4 },
    };
    spec.fixed = { ...(spec.fixed as object), colour: "blue" };
    spec.warmStart = { studyId: "6f1c7a52-1111-4222-8333-444455556666" };
    const { form, editorOnly } = specToForm(spec, defaultStudyForm());
    expect(editorOnly.sort()).toEqual([
      "fixed.colour",
      "searchSpace.dropout",
      "searchSpace.heads",
      "warmStart",
    ]);
    // The rest is still in the form.
    expect(form.settings.lr?.mode).toBe("range");
    expect(form.dataset).toBe("d");
  });

  it("names a quoted number, a list item with a comma and a setting the schedule ignores", () => {
    const spec = base();
    spec.fixed = { ...(spec.fixed as object), warmup_steps: "20", step_gamma: 0.5 };
    spec.searchSpace = { tokenizer: { type: "categorical", choices: ["char", "a,b"] } };
    expect(specToForm(spec, defaultStudyForm()).editorOnly.sort()).toEqual([
      "fixed.step_gamma",
      "fixed.warmup_steps",
      "searchSpace.tokenizer",
    ]);
  });

  it("names the whole spec when it is not a mapping", () => {
    expect(specToForm([1, 2], defaultStudyForm()).editorOnly).toHaveLength(1);
    expect(specToForm("text", defaultStudyForm()).editorOnly).toHaveLength(1);
  });

  it("takes an explicit no-op pruner and empty fixed settings as the same spec", () => {
    const spec = { ...base(), fixed: {}, pruner: { kind: "none" } };
    delete (spec as Record<string, unknown>).fixed;
    expect(specToForm({ ...spec, fixed: {} }, defaultStudyForm()).editorOnly).toEqual([]);
    const { pruner: _pruner, ...withoutPruner } = spec;
    expect(specToForm(withoutPruner, defaultStudyForm()).editorOnly).toEqual([]);
  });
});

describe("values", () => {
  it("reads numbers where the text is one, and keeps the text otherwise", () => {
    expect(parseValue(" 1e-4 ", "float")).toBe(0.0001);
    expect(parseValue("3", "int")).toBe(3);
    expect(parseValue("1e-", "float")).toBe("1e-");
    expect(parseValue("", "float")).toBe("");
    expect(parseValue("true", "bool")).toBe(true);
    expect(parseValue("64", "enum")).toBe("64");
    expect(parseChoices("16, 32,,64 ", "int")).toEqual([16, 32, 64]);
    expect(parseChoices("pre, post", "enum")).toEqual(["pre", "post"]);
  });

  it("writes a half-typed number as text, which validation reports at its field", () => {
    const form = withRow(defaultStudyForm({ dataset: "d" }), "lr", { low: "1e-" });
    const result = parseStudySpec(specToText(formToSpec(form), "yaml"));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((error) => error.path)).toContain("searchSpace.lr.low");
      expect(result.errors.every((error) => error.line !== undefined)).toBe(true);
    }
  });
});

describe("schedules", () => {
  it("carries only the settings of the chosen schedules", () => {
    let form = defaultStudyForm({ dataset: "d" });
    form = withRow(form, "step_gamma", { mode: "fixed", value: "0.5" });
    form = withRow(form, "min_lr", { mode: "fixed", value: "0.00001" });
    expect(activeSchedules(form)).toEqual(["cosine"]);
    expect(formToSpec(form).fixed).toMatchObject({ min_lr: 0.00001 });
    expect(formToSpec(form).fixed).not.toHaveProperty("step_gamma");
    form = withRow(form, "schedule", { mode: "fixed", value: "step" });
    expect(formToSpec(form).fixed).toMatchObject({ step_gamma: 0.5 });
    expect(formToSpec(form).fixed).not.toHaveProperty("min_lr");
    form = withRow(form, "schedule", { mode: "default" });
    expect(activeSchedules(form)).toEqual(["cosine"]);
  });
});

describe("a study from a model", () => {
  it("names the model, leaves out what the model decides, and keeps LoRA's search", () => {
    let form: StudyForm = { ...defaultStudyForm({ dataset: "corpus" }), model: "tiny-gpt2" };
    form = withRow(form, "finetune", { mode: "fixed", value: "lora" });
    form = withRow(form, "lora_r", { mode: "choices", choices: "4, 8" });
    form = withRow(form, "tokenizer", { mode: "fixed", value: "bpe" });
    const spec = formToSpec(form);
    expect(spec.model).toBe("tiny-gpt2");
    // The default form fixes d_model and searches layers: a model decides both.
    expect(Object.keys(spec.fixed as object)).not.toContain("d_model");
    expect(Object.keys(spec.fixed as object)).not.toContain("tokenizer");
    expect(Object.keys(spec.searchSpace as object)).not.toContain("layers");
    expect(spec.fixed).toMatchObject({ finetune: "lora", seq_len: 64 });
    expect(spec.searchSpace).toMatchObject({ lora_r: { type: "categorical", choices: [4, 8] } });
    expect(parseStudySpec(specToText(spec, "yaml")).ok).toBe(true);

    const back = throughText(form, "yaml");
    expect(back.editorOnly).toEqual([]);
    expect(back.form.model).toBe("tiny-gpt2");
    expect(back.form.settings.lora_r).toMatchObject({ mode: "choices", choices: "4, 8" });
  });

  it("leaves a spec that sets the architecture beside its model to the editor", () => {
    const spec = { ...formToSpec(defaultStudyForm()), model: "tiny-gpt2" };
    expect(specToForm(spec, defaultStudyForm()).editorOnly).toContain("fixed.d_model");
  });
});

describe("objectives", () => {
  it("makes a study of two objectives multi-objective, and back", () => {
    const two = setObjectives(defaultStudyForm({ dataset: "d" }), [
      { metric: "val_loss", direction: "minimize" },
      { metric: "param_count", direction: "minimize" },
    ]);
    expect(two.sampler).toBe("nsga2");
    expect(two.pruner).toBe("multi-objective");
    const result = parseStudySpec(specToText(formToSpec(two), "yaml"));
    expect(result.ok ? [] : result.errors).toEqual([]);
    const one = setObjectives(two, [{ metric: "val_loss", direction: "minimize" }]);
    expect(one.sampler).toBe("nsga2");
    expect(one.pruner).toBe("median");
    expect(samplersFor(2)).not.toContain("tpe");
    expect(prunersFor(1)).toEqual(["none", "median", "asha", "hyperband", "threshold"]);
    expect(prunersFor(2)).toEqual(["none", "multi-objective", "threshold"]);
  });
});

describe("attention", () => {
  it("maps MHA, GQA and MQA to kv_heads", () => {
    const kv = defaultStudyForm().settings.kv_heads as ParamRow;
    expect(attentionKind(kv)).toBe("mha");
    expect(withAttentionKind(kv, "mqa")).toMatchObject({ mode: "fixed", value: "1" });
    expect(attentionKind(withAttentionKind(kv, "mqa"))).toBe("mqa");
    const gqa = withAttentionKind(withAttentionKind(kv, "mqa"), "gqa");
    expect(gqa).toMatchObject({ mode: "fixed", value: "2" });
    expect(attentionKind(gqa)).toBe("gqa");
    expect(withAttentionKind(gqa, "search").mode).toBe("choices");
    expect(withAttentionKind(gqa, "mha").mode).toBe("default");
  });
});

describe("the LR range test", () => {
  it("applies its suggestion as log-uniform bounds", () => {
    const result = {
      curve: [],
      diverged: true,
      minLossLr: 0.02,
      steepestLr: 0.0031234,
      minLossLrOverTen: 0.002,
      suggestedLr: 0.0031234,
    };
    const bounds = narrowLrBounds(result);
    const form = applyLrBounds(
      withRow(defaultStudyForm({ dataset: "d" }), "lr", { mode: "fixed" }),
      bounds,
    );
    expect(form.settings.lr).toMatchObject({ mode: "range", log: true });
    expect((formToSpec(form).searchSpace as Record<string, unknown>).lr).toEqual({
      type: "float",
      low: 0.000312,
      high: 0.00937,
      log: true,
    });
  });

  it("applies its suggestion to a spec the form cannot show", () => {
    const spec = {
      name: "x",
      fixed: { lr: 0.1, heads: 2 },
      searchSpace: { layers: { type: "int", low: 1, high: 3 } },
      warmStart: { studyId: "s" },
    };
    expect(specWithLrBounds(spec, { low: 0.00031234, high: 0.0093 })).toEqual({
      name: "x",
      fixed: { heads: 2 },
      searchSpace: {
        layers: { type: "int", low: 1, high: 3 },
        lr: { type: "float", low: 0.000312, high: 0.0093, log: true },
      },
      warmStart: { studyId: "s" },
    });
    expect(specWithLrBounds({ fixed: { lr: 1 } }, { low: 1, high: 2 })).not.toHaveProperty("fixed");
  });

  it("trains the spec's fixed settings, without the LR and its schedule", () => {
    const spec = formToSpec(
      withRow(defaultStudyForm({ dataset: "d" }), "lr", { mode: "fixed", value: "0.1" }),
    );
    expect(lrTestTrialSettings(spec)).toEqual({ seq_len: 64, d_model: 128, heads: 4 });
    expect(lrTestTrialSettings("not a spec")).toEqual({});
  });

  it("starts from the spec's model, with its fine-tuning settings, as the trials will", () => {
    const form = { ...defaultStudyForm({ dataset: "d" }), model: "gpt2" };
    const spec = formToSpec(withRow(form, "finetune", { mode: "fixed", value: "lora" }));
    expect(lrTestModel(spec)).toBe("gpt2");
    expect(lrTestTrialSettings(spec)).toEqual({ seq_len: 64, finetune: "lora" });
    expect(lrTestModel(formToSpec(defaultStudyForm({ dataset: "d" })))).toBeUndefined();
    expect(lrTestModel({ model: "" })).toBeUndefined();
  });
});

describe("W&B import", () => {
  it("merges a sweep's search into the spec and keeps its dataset and budget", () => {
    const sweep = importWandbSweep(`
method: bayes
metric: { name: val_loss, goal: minimize }
run_cap: 5
parameters:
  lr: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
  layers: { values: [2, 4, 6] }
  heads: { value: 8 }
`);
    const merged = mergeWandbImport(formToSpec(defaultStudyForm({ dataset: "d" })), sweep.spec);
    expect(merged.dataset).toBe("d");
    expect(merged.sampler).toEqual({ kind: "tpe" });
    expect(merged.pruner).toEqual({ kind: "none" });
    expect(merged.budget).toEqual({ trials: 5, parallelTrials: 2, stepsPerTrial: 200 });
    expect(Object.keys(merged.searchSpace as object)).toEqual(["lr", "layers"]);
    expect(merged.fixed).toMatchObject({ heads: 8, d_model: 128 });
    const result = parseStudySpec(specToText(merged, "yaml"));
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(specToForm(merged, defaultStudyForm()).editorOnly).toEqual([]);
  });
});

describe("text", () => {
  it("tells JSON from YAML and says where text does not parse", () => {
    expect(detectFormat('  {"name": 1}')).toBe("json");
    expect(detectFormat("name: x")).toBe("yaml");
    const read = readSpecText("name: x\nbudget: [1, 2\n");
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.line).toBeGreaterThan(1);
  });

  it("finds a line's offset and an error's section", () => {
    expect(offsetOfLine("a\nbb\nccc", 3)).toBe(5);
    expect(offsetOfLine("a", 9)).toBe(1);
    expect(errorField("searchSpace.lr.low")).toBe("lr");
    expect(errorField("fixed.heads")).toBe("heads");
    expect(errorField("budget.stepsPerTrial")).toBe("budget.stepsPerTrial");
    expect(errorField("objectives[0].metric")).toBe("objectives");
    expect(errorField("")).toBe("");
  });

  it("lists differences two levels deep", () => {
    expect(differences({ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } })).toEqual(["a.b"]);
    expect(differences({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});
