import { describe, expect, it } from "vitest";
import { z } from "zod";
import { trialSettingsSchema } from "../../src/trial/settings-schema.ts";
import {
  catalogueFields,
  prunerCatalogue,
  samplerCatalogue,
  settingsCatalogue,
} from "../../src/tuning/catalogue.ts";
import { suitsObjectives } from "../../src/tuning/field-meta.ts";
import { inputJsonSchema } from "../../src/tuning/json-schema.ts";
import { prunerSpecSchema } from "../../src/tuning/pruner-spec.ts";
import { samplerSpecSchema } from "../../src/tuning/samplers/index.ts";
import { validateStudySpec } from "../../src/tuning/spec.ts";

/** What the schema fills in for a field left out, found by parsing, not by reading JSON Schema. */
function parsedDefault(schema: z.ZodType, name: string, base: Record<string, unknown> = {}) {
  return (schema.parse(base) as Record<string, unknown>)[name];
}

describe("settingsCatalogue", () => {
  it("lists every trainer setting once, with the default the trainer applies", () => {
    expect(settingsCatalogue.map((field) => field.name).sort()).toEqual(
      trialSettingsSchema.keyof().options.slice().sort(),
    );
    for (const field of settingsCatalogue) {
      const value = parsedDefault(trialSettingsSchema, field.name);
      if (value === undefined) {
        // Defaults that depend on other settings are said in words.
        expect(field.defaultText, field.name).toMatch(/[a-z]/);
      } else {
        expect(field.defaultText, field.name).toBe(String(value));
      }
      expect(field.description, field.name).toBeTruthy();
      expect(field.label, field.name).not.toBe(field.name);
    }
  });

  it("reads kinds, choices, bounds and metadata from the schema", () => {
    const byName = new Map(settingsCatalogue.map((field) => [field.name, field]));
    expect(byName.get("lr")).toMatchObject({
      kind: "float",
      label: "Learning rate",
      group: "training",
      logScale: true,
      allowed: "> 0",
    });
    expect(byName.get("optimizer")).toMatchObject({
      kind: "enum",
      options: ["adam", "adamw", "sgd"],
      defaultText: "adamw",
    });
    expect(byName.get("layers")?.kind).toBe("int");
    expect(byName.get("staircase")).toMatchObject({ kind: "bool", schedules: ["exponential"] });
    expect(byName.get("validation_fraction")?.allowed).toBe("> 0 and < 1");
  });

  it("follows a changed schema: a new default, a new setting without metadata", () => {
    const changed = z.strictObject({
      lr: z.number().positive().default(0.5).describe("Peak rate.").meta({ label: "LR" }),
      new_knob: z.number().int().min(1).default(3).describe("A setting added later."),
    });
    expect(catalogueFields(inputJsonSchema(changed))).toEqual([
      expect.objectContaining({ name: "lr", label: "LR", defaultText: "0.5", kind: "float" }),
      expect.objectContaining({
        name: "new_knob",
        label: "new_knob",
        group: "more",
        kind: "int",
        defaultText: "3",
        allowed: "≥ 1",
        required: false,
      }),
    ]);
  });
});

describe("samplerCatalogue and prunerCatalogue", () => {
  it("list every kind of the spec's unions the form can edit, with each field's default", () => {
    expect(samplerCatalogue.map((entry) => entry.kind)).toEqual(
      samplerSpecSchema.options
        .filter((option) => option.meta()?.formless !== true)
        .map((option) => option.shape.kind.value),
    );
    // PBT's settings are lists (mutations, factors, a schedule): written in the spec only.
    expect(samplerCatalogue.map((entry) => entry.kind)).not.toContain("pbt");
    expect(prunerCatalogue.map((entry) => entry.kind)).toEqual(
      prunerSpecSchema.options.map((option) => option.shape.kind.value),
    );
    const tpe = samplerCatalogue.find((entry) => entry.kind === "tpe");
    expect(tpe).toMatchObject({ label: "TPE (Bayesian)", objectives: "one" });
    expect(tpe?.fields.find((field) => field.name === "startupTrials")?.defaultText).toBe(
      String(parsedDefault(samplerSpecSchema, "startupTrials", { kind: "tpe" })),
    );
    const asha = prunerCatalogue.find((entry) => entry.kind === "asha");
    expect(asha?.fields.filter((field) => field.required).map((field) => field.name)).toEqual([
      "minResource",
      "maxResource",
    ]);
  });

  it("say which objective counts each kind suits, as the spec's validation rules", () => {
    const spec = (sampler: string, pruner: string, objectives: number) => ({
      name: "fit",
      task: "language-modelling",
      dataset: "moby-dick",
      objectives: ["val_loss", "param_count"]
        .slice(0, objectives)
        .map((metric) => ({ metric, direction: "minimize" })),
      searchSpace: { lr: { type: "float", low: 1e-4, high: 1e-2, log: true } },
      sampler: { kind: sampler, ...(sampler === "grid" ? { gridPoints: 3 } : {}) },
      pruner: {
        kind: pruner,
        ...(["asha", "hyperband"].includes(pruner) ? { minResource: 1, maxResource: 9 } : {}),
        ...(pruner === "threshold" ? { upper: 10 } : {}),
      },
      budget: { trials: 4, stepsPerTrial: 10 },
    });
    for (const objectives of [1, 2]) {
      for (const sampler of samplerCatalogue) {
        const result = validateStudySpec(spec(sampler.kind, "none", objectives));
        expect(result.ok || result.errors.every((e) => e.path.endsWith(".kind"))).toBe(true);
        const refused = !result.ok && result.errors.some((e) => e.path === "sampler.kind");
        expect(refused, `${sampler.kind} with ${objectives}`).toBe(
          !suitsObjectives(sampler.objectives, objectives),
        );
      }
      for (const pruner of prunerCatalogue) {
        const result = validateStudySpec(spec("random", pruner.kind, objectives));
        const refused = !result.ok && result.errors.some((e) => e.path === "pruner.kind");
        expect(refused, `${pruner.kind} with ${objectives}`).toBe(
          !suitsObjectives(pruner.objectives, objectives),
        );
      }
    }
  });
});
