// Markdown for the fields of a JSON Schema made by zod's toJSONSchema (read with json-schema.ts):
// each field's type, default, allowed values and bounds, description and example. The study-spec
// reference (spec-reference.ts) is built from these.
import { stringify } from "yaml";
import {
  alternatives,
  discriminator,
  type FieldRow,
  isBound,
  type JsonSchema,
} from "./json-schema.ts";

/** A value as it is written in YAML, on one line. */
export function inlineYaml(value: unknown): string {
  return stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

function code(text: string): string {
  return `\`${text}\``;
}

/** A table cell: no line breaks, and pipes that do not end the cell. */
function cell(text: string): string {
  return text.replace(/\n+/g, " ").replace(/\|/g, "\\|");
}

/** `number`, `list of integer`, `map: name → float or int parameter`, … */
export function typeName(schema: JsonSchema): string {
  const union = alternatives(schema);
  if (union !== undefined) {
    const key = discriminator(union);
    if (key !== undefined) {
      return `object: one of ${key} ${union.map((variant) => code(String(variant.properties?.[key]?.const))).join(", ")}`;
    }
    return [...new Set(union.map(typeName))].join(" or ");
  }
  if (schema.enum !== undefined) return typeof schema.enum[0] === "number" ? "number" : "string";
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "any"];
  return types
    .map((type) => {
      if (type === "array") return `list of ${grouped(typeName(schema.items ?? {}))}`;
      if (type === "string" && schema.format === "uuid") return "string (a UUID)";
      if (type === "object" && typeof schema.additionalProperties === "object") {
        return `map: name → ${grouped(typeName(schema.additionalProperties))}`;
      }
      return type;
    })
    .join(" or ");
}

function grouped(name: string): string {
  return name.includes(" or ") ? `(${name})` : name;
}

/**
 * Allowed values and bounds: `adam`, `adamw`; ≥ 1; > 0 and < 1; not empty; at least 1 item. Values
 * are quoted as Markdown code unless told otherwise (a form shows them as plain text).
 */
export function allowedValues(schema: JsonSchema, quote = code): string {
  const parts: string[] = [];
  if (schema.enum !== undefined)
    parts.push(schema.enum.map((v) => quote(inlineYaml(v))).join(", "));
  if (isBound(schema.minimum)) parts.push(`≥ ${schema.minimum}`);
  if (isBound(schema.exclusiveMinimum)) parts.push(`> ${schema.exclusiveMinimum}`);
  if (isBound(schema.maximum)) parts.push(`≤ ${schema.maximum}`);
  if (isBound(schema.exclusiveMaximum)) parts.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minLength === 1) parts.push("not empty");
  else if (schema.minLength !== undefined) parts.push(`at least ${schema.minLength} characters`);
  if (schema.minItems !== undefined) {
    parts.push(`at least ${schema.minItems} item${schema.minItems === 1 ? "" : "s"}`);
  }
  const values = typeof schema.additionalProperties === "object" && schema.additionalProperties;
  if (values && values.minItems !== undefined && !values.properties && !alternatives(values)) {
    parts.push(`each list at least ${values.minItems} value${values.minItems === 1 ? "" : "s"}`);
  }
  return parts.length === 0 ? "—" : parts.join(" and ");
}

/**
 * An example value: the schema's first `examples` entry, or else one its type and default give
 * (another choice of an enum, the other boolean, the default). Undefined when there is none.
 */
export function exampleValue(schema: JsonSchema): unknown {
  if (schema.examples !== undefined && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined) {
    return schema.enum.find((value) => value !== schema.default) ?? schema.enum[0];
  }
  if (schema.type === "boolean") return schema.default === undefined ? true : !schema.default;
  return schema.default;
}

/**
 * A Markdown table of the fields. `path` names the object in error messages: every field must
 * have a description and an example, which the schemas give (`.describe()`, `.meta()`).
 */
export function fieldTable(path: string, fields: FieldRow[]): string {
  const rows = fields.map(({ name, schema, required }) => {
    if (!schema.description) {
      throw new Error(`${path}${name} has no description: add .describe("…") to its zod schema`);
    }
    const example = exampleValue(schema);
    if (example === undefined) {
      throw new Error(`${path}${name} has no example: add .meta({ examples: […] }) to its schema`);
    }
    const fallback = required ? "required" : "—";
    const otherwise = schema.defaultNote ?? fallback;
    const byDefault = schema.default === undefined ? otherwise : code(inlineYaml(schema.default));
    return [
      code(name),
      typeName(schema),
      byDefault,
      allowedValues(schema),
      schema.description,
      code(`${name}: ${inlineYaml(example)}`),
    ];
  });
  const header = ["Field", "Type", "Default", "Allowed", "Description", "Example"];
  return [header, header.map(() => "---"), ...rows]
    .map((row) => `| ${row.map(cell).join(" | ")} |`)
    .join("\n");
}
