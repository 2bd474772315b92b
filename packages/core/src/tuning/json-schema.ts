// Reading the JSON Schema that zod writes for our schemas (`z.toJSONSchema`, for inputs): fields,
// unions told apart by a discriminator, bounds. The spec reference (spec-reference.ts) and the form
// catalogue (catalogue.ts) both read the schemas through these, so they describe a field alike.
import { type GlobalMeta, z } from "zod";

/** The part of JSON Schema that zod writes for our schemas, with their metadata (field-meta.ts). */
export interface JsonSchema
  extends Pick<
    GlobalMeta,
    "label" | "group" | "schedules" | "logScale" | "defaultNote" | "objectives" | "formless"
  > {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  format?: string;
}

/** A schema's JSON Schema as its inputs see it: defaulted fields are optional and show defaults. */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
}

/** The alternatives of a union, or undefined. */
export function alternatives(schema: JsonSchema): JsonSchema[] | undefined {
  return schema.oneOf ?? schema.anyOf;
}

/** The field a union's object alternatives are told apart by (kind, type), if they have one. */
export function discriminator(variants: JsonSchema[]): string | undefined {
  const names = Object.keys(variants[0]?.properties ?? {});
  return names.find((name) =>
    variants.every((variant) => variant.properties?.[name]?.const !== undefined),
  );
}

/** A union's alternatives with the field that tells them apart, where it has one. */
export function variantsOf(
  schema: JsonSchema,
): { key: string; variants: JsonSchema[] } | undefined {
  const variants = alternatives(schema);
  const key = variants && discriminator(variants);
  return variants && key ? { key, variants } : undefined;
}

/** JSON Schema's stand-ins for "no bound" on integers (Number.MAX_SAFE_INTEGER and its negative). */
export function isBound(value: number | undefined): value is number {
  return value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER;
}

export interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** The fields of an object schema, in order, without the one named `skip` (a discriminator). */
export function fieldsOf(schema: JsonSchema, skip?: string): FieldRow[] {
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => name !== skip)
    .map(([name, field]) => ({
      name,
      schema: field,
      required: schema.required?.includes(name) ?? false,
    }));
}
