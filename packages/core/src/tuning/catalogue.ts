// What a form needs to know of the spec's choices, read from the zod schemas that define them: each
// trainer setting, sampler and pruner with its fields' types, defaults, allowed values and bounds,
// descriptions and labels (field-meta.ts). A setting, sampler or pruner added to a schema appears
// in the new-study form with no edit there; a changed default shows there at once.
import type { z } from "zod";
import { trialSettingsSchema } from "../trial/settings-schema.ts";
import type { ObjectiveFit, SettingGroup } from "./field-meta.ts";
import { fieldsOf, inputJsonSchema, type JsonSchema, variantsOf } from "./json-schema.ts";
import { prunerSpecSchema } from "./pruner-spec.ts";
import { samplerSpecSchema } from "./samplers/index.ts";
import { allowedValues, inlineYaml } from "./schema-markdown.ts";

export type ValueKind = "float" | "int" | "enum" | "bool";

export interface CatalogueField {
  /** As a spec names it: `lr`, `startupTrials`. */
  name: string;
  label: string;
  kind: ValueKind;
  /** An enum's values, as text. */
  options?: readonly string[];
  /** What applies when a spec leaves the field out, as text; absent when the field is required. */
  defaultText?: string;
  required: boolean;
  description?: string;
  /** Allowed values and bounds, as text: "> 0 and < 1", "≥ 1"; empty when anything goes. */
  allowed: string;
  group: SettingGroup;
  schedules?: readonly string[];
  logScale: boolean;
}

export interface CatalogueKind<Kind extends string> {
  kind: Kind;
  label: string;
  description?: string;
  objectives: ObjectiveFit;
  fields: readonly CatalogueField[];
}

function valueKind(name: string, schema: JsonSchema): ValueKind {
  if (schema.enum !== undefined) return "enum";
  if (schema.type === "integer") return "int";
  if (schema.type === "number") return "float";
  if (schema.type === "boolean") return "bool";
  throw new Error(`${name}: a form field must be a number, boolean or enum, not ${schema.type}`);
}

/** The fields of an object schema, in its order; `skip` leaves out a union's discriminator. */
export function catalogueFields(object: JsonSchema, skip?: string): CatalogueField[] {
  return fieldsOf(object, skip).map(({ name, schema, required }) => {
    const byDefault = schema.default === undefined ? undefined : inlineYaml(schema.default);
    const allowed = allowedValues(schema, (text) => text);
    return {
      name,
      label: schema.label ?? name,
      kind: valueKind(name, schema),
      options: schema.enum?.map(String),
      defaultText: required ? undefined : (byDefault ?? schema.defaultNote),
      required,
      description: schema.description,
      allowed: allowed === "—" ? "" : allowed,
      group: schema.group ?? "more",
      schedules: schema.schedules,
      logScale: schema.logScale ?? false,
    };
  });
}

/** The alternatives of a union told apart by `kind`, each with its own fields; formless ones left out. */
export function catalogueKinds<Kind extends string>(union: JsonSchema): CatalogueKind<Kind>[] {
  const found = variantsOf(union);
  if (found?.key !== "kind") throw new Error("a catalogue of kinds needs a union on `kind`");
  return found.variants
    .filter((variant) => variant.formless !== true)
    .map((variant) => {
      const kind = String(variant.properties?.kind?.const) as Kind;
      return {
        kind,
        label: variant.label ?? kind,
        description: variant.description,
        objectives: variant.objectives ?? "any",
        fields: catalogueFields(variant, "kind"),
      };
    });
}

type SamplerKind = z.output<typeof samplerSpecSchema>["kind"];
type PrunerKind = z.output<typeof prunerSpecSchema>["kind"];

/** Every trainer setting, in the order the form shows them. */
export const settingsCatalogue = catalogueFields(inputJsonSchema(trialSettingsSchema));
export const samplerCatalogue = catalogueKinds<SamplerKind>(inputJsonSchema(samplerSpecSchema));
export const prunerCatalogue = catalogueKinds<PrunerKind>(inputJsonSchema(prunerSpecSchema));
