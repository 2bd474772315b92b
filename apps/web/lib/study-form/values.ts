// The form keeps every value as the text of its input, so a half-typed number never turns into
// something else; converting writes a number wherever the text is one, and the text itself
// otherwise, which the API's validation then reports at that field.
import type { ValueKind } from "./catalogue.ts";

/** A JSON value as specs hold it. */
export type SpecObject = Record<string, unknown>;

export function isObject(value: unknown): value is SpecObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The value an input's text stands for: a number or boolean where it reads as one. */
export function parseValue(text: string, kind: ValueKind | "any"): unknown {
  const trimmed = text.trim();
  if (kind === "enum") return trimmed;
  if (kind === "bool") return trimmed === "true" ? true : trimmed === "false" ? false : trimmed;
  if (NUMBER_TEXT.test(trimmed)) return Number(trimmed);
  if (kind === "any" && (trimmed === "true" || trimmed === "false")) return trimmed === "true";
  return trimmed;
}

/** A comma-separated list of values; blank items are dropped. */
export function parseChoices(text: string, kind: ValueKind): unknown[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => parseValue(item, kind));
}

/** A spec's value as an input's text. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
