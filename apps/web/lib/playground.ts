// The trial page's playground as pure conversions: its form (every value kept as the text of its
// input) into trials.generate's input, each field checked with the API's own bounds, a failed
// generation in words a user can act on, and how trained the checkpoint it generates from is.
import type { RouterInputs, RouterOutputs } from "./trpc.tsx";

export type GenerateInput = RouterInputs["trials"]["generate"];
export type GenerationSource = NonNullable<RouterOutputs["trials"]["generationSource"]>;

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
  // Also how a stream ends when the caller loses access to the trial's team while it runs.
  if (code === "NOT_FOUND" || code === "FORBIDDEN") {
    return "This trial does not exist, or you no longer have access to it.";
  }
  if (code === "UNAUTHORIZED")
    return "Your session or API key has ended. Sign in again to generate.";
  if (code === "BAD_REQUEST" && message.startsWith("prompt: ")) {
    return `The model cannot read this prompt: ${message.slice("prompt: ".length)}`;
  }
  if (code === "BAD_REQUEST" && message.startsWith("messages: ")) {
    return `The model cannot read this conversation: ${message.slice("messages: ".length)}`;
  }
  return `Generation failed: ${message}`;
}

type Judgement = "barely trained" | "partly trained" | "well trained";

/**
 * A language model's loss as a share of the unigram baseline's. Knowing only how often each token
 * occurs brings the loss to the baseline (a share of 1) within the first steps; within a tenth of
 * it, the model has learnt little of which tokens follow which and writes a jumble of common ones.
 * Small models that write word-like English reach about half the baseline (character models 1.3
 * to 1.6 nats against about 3; GPT-2-token models about 3.5 against 7): below 0.6 is well trained.
 */
function lossJudgement(loss: number, baseline: number): Judgement {
  const share = loss / baseline;
  if (share > 0.9) return "barely trained";
  return share > 0.6 ? "partly trained" : "well trained";
}

/**
 * A classifier's share of the way from always guessing the commonest label to a perfect score: a
 * tenth or less is hardly better than the guess; past half, most of what it can learn is learnt.
 * Undefined when every validation sample has the commonest label (there is no way to go).
 */
function accuracyJudgement(accuracy: number, baseline: number): Judgement | undefined {
  if (baseline >= 1) return undefined;
  const share = (accuracy - baseline) / (1 - baseline);
  if (share <= 0.1) return "barely trained";
  return share <= 0.5 ? "partly trained" : "well trained";
}

/** What one token of each tokenizer is, in a newcomer's words. */
const TOKEN_NAMES: Record<GenerationSource["tokenizer"], string> = {
  char: "character",
  byte: "byte",
  gpt2: "token",
};

const count = new Intl.NumberFormat("en-US");
const percent = (share: number) => `${Math.round(share * 100)}%`;

/**
 * One line above the prompt: which checkpoint the playground generates from, how far into the
 * trial it was saved, and its validation result against what a model that knows only frequencies
 * scores, judged barely, partly or well trained.
 */
export function generationSourceText(source: GenerationSource): string {
  const { val_loss, val_accuracy, baseline_val_loss, baseline_val_accuracy } = source.metrics;
  const token = TOKEN_NAMES[source.tokenizer];
  const where = `Generates from the trial's ${source.kind} checkpoint, at step ${count.format(source.step)} of ${count.format(source.steps)} (${count.format(source.tokensSeen)} ${token}s seen)`;
  // A last checkpoint between evaluations is judged by the evaluation before it.
  const at = (point: { step: number }) =>
    point.step === source.step ? "" : ` at step ${count.format(point.step)}`;
  if (val_accuracy && baseline_val_accuracy) {
    const judgement = accuracyJudgement(val_accuracy.value, baseline_val_accuracy.value);
    return `${where}: validation accuracy ${percent(val_accuracy.value)}${at(val_accuracy)} against ${percent(baseline_val_accuracy.value)} for always guessing the commonest label${judgement ? `: ${judgement}` : ""}.`;
  }
  if (!val_loss) return `${where}; it has not been evaluated yet.`;
  const loss = `validation loss ${val_loss.value.toFixed(2)} nats${at(val_loss)}`;
  if (!baseline_val_loss) return `${where}: ${loss} (no baseline was recorded to judge it by).`;
  const knows =
    source.task === "classification"
      ? "how often each label occurs"
      : `${token} frequencies (the unigram baseline)`;
  return `${where}: ${loss} against ${baseline_val_loss.value.toFixed(2)} for a model that only knows ${knows}: ${lossJudgement(val_loss.value, baseline_val_loss.value)}.`;
}
