// The trial page's playground as pure conversions: its form (every value kept as the text of its
// input) into trials.generate's input, each field checked with the API's own bounds, and a failed
// generation in words a user can act on.
import type { RouterInputs } from "./trpc.tsx";

export type GenerateInput = RouterInputs["trials"]["generate"];

export interface PlaygroundFields {
  prompt: string;
  maxLength: string;
  temperature: string;
  /** Blank: every token may be drawn. */
  topK: string;
  /** Blank: no nucleus cut-off. */
  topP: string;
  /** Blank: a fresh seed for each generation. */
  seed: string;
}

export const DEFAULT_PLAYGROUND_FIELDS: PlaygroundFields = {
  prompt: "",
  maxLength: "200",
  temperature: "0.8",
  topK: "40",
  topP: "",
  seed: "",
};

export const MAX_PROMPT_LENGTH = 2000;
export const MAX_GENERATED_TOKENS = 500;
const MAX_SEED = 2 ** 32 - 1;

export type FieldErrors = Partial<Record<keyof PlaygroundFields, string>>;

/** A seed the server accepts, for a generation the user did not seed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

interface Bounds {
  min: number;
  max: number;
  integer: boolean;
  /** The minimum itself is not allowed. */
  aboveMin?: boolean;
}

/** The text as a number within the bounds, or undefined. */
function numberWithin(text: string, { min, max, integer, aboveMin = false }: Bounds) {
  const trimmed = text.trim();
  const value = Number(trimmed);
  const fits =
    trimmed !== "" &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (aboveMin ? value > min : value >= min) &&
    value <= max;
  return fits ? value : undefined;
}

const FIELD_RULES = {
  maxLength: {
    bounds: { min: 1, max: MAX_GENERATED_TOKENS, integer: true },
    message: `Enter a whole number from 1 to ${MAX_GENERATED_TOKENS}.`,
  },
  temperature: {
    bounds: { min: 0, max: 10, integer: false },
    message: "Enter a number from 0 (always the likeliest token) to 10.",
  },
  topK: {
    bounds: { min: 1, max: 100_000, integer: true },
    message: "Enter a whole number from 1 to 100000, or leave it blank.",
  },
  topP: {
    bounds: { min: 0, max: 1, integer: false, aboveMin: true },
    message: "Enter a number above 0 and at most 1, or leave it blank.",
  },
  seed: {
    bounds: { min: 0, max: MAX_SEED, integer: true },
    message: `Enter a whole number from 0 to ${MAX_SEED}, or leave it blank.`,
  },
} satisfies Partial<Record<keyof PlaygroundFields, { bounds: Bounds; message: string }>>;

type NumericField = keyof typeof FIELD_RULES;

/**
 * The subscription's input from the form, or what is wrong with each field. A blank seed takes
 * `seedForBlank()`, so that every generation can be repeated with the seed it reports.
 */
export function generateInput(
  trialId: string,
  fields: PlaygroundFields,
  seedForBlank: () => number = randomSeed,
): { ok: true; input: GenerateInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const read = (field: NumericField, optional: boolean): number | undefined => {
    if (optional && fields[field].trim() === "") return undefined;
    const value = numberWithin(fields[field], FIELD_RULES[field].bounds);
    if (value === undefined) errors[field] = FIELD_RULES[field].message;
    return value;
  };
  if (fields.prompt.length > MAX_PROMPT_LENGTH) {
    errors.prompt = `Keep the prompt to ${MAX_PROMPT_LENGTH} characters; it has ${fields.prompt.length}.`;
  }
  const maxLength = read("maxLength", false);
  const temperature = read("temperature", false);
  const topK = read("topK", true);
  const topP = read("topP", true);
  const seed = read("seed", true);
  if (Object.keys(errors).length > 0 || maxLength === undefined || temperature === undefined) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    input: {
      trialId,
      prompt: fields.prompt,
      maxLength,
      temperature,
      ...(topK === undefined ? {} : { topK }),
      ...(topP === undefined ? {} : { topP }),
      seed: seed ?? seedForBlank(),
    },
  };
}

/** A failed generation, from its tRPC error code and message, in words a user can act on. */
export function generationErrorText(code: string | undefined, message: string): string {
  if (code === "PRECONDITION_FAILED" && message.includes("no checkpoint yet")) {
    return "This trial has no checkpoint yet. It saves one as it trains; generate again once it has.";
  }
  if (code === "NOT_FOUND") return "This trial does not exist, or your teams cannot see it.";
  if (code === "UNAUTHORIZED") return "Your session has ended. Sign in again to generate.";
  if (code === "BAD_REQUEST" && message.startsWith("prompt: ")) {
    return `The model cannot read this prompt: ${message.slice("prompt: ".length)}`;
  }
  return `Generation failed: ${message}`;
}
