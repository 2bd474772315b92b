/**
 * Evaluation by generation, for instruction and dialogue trials: at each evaluation the model
 * writes completions for a fixed sample of validation prompts, which are scored against the
 * examples' own by every generation metric; a few are kept as samples for a person to read.
 */
import {
  type ChatTemplate,
  checkEndOfTurn,
  PLAIN_CHAT_TEMPLATE,
  renderGenerationPrompts,
} from "../data/chat-template.ts";
import {
  type ChatMessage,
  completionOf,
  type InstructionExample,
} from "../data/instruction-dataset.ts";
import { encodeInstructionExamples } from "../data/instruction-encoding.ts";
import type { Tokenizer } from "../data/tokenizers.ts";
import { type GenerationMetricKey, generationMetrics } from "../eval/metric-definitions.ts";
import { scoreGenerations } from "../eval/score.ts";
import { generateCompletions } from "../generate-batch.ts";
import type { GPT } from "../model/gpt.ts";
import type { EvalReport, GenerationSample } from "../train/trainer.ts";
import type { InstructionPlan } from "./settings.ts";

/** Samples kept per evaluation. */
export const SAMPLES_PER_EVALUATION = 5;
/** Completions with at most this many distinct values are labels, scored as a classification. */
export const MAX_LABELS = 20;

/** The same prompts at every evaluation, encoded once. */
export interface GenerationEvaluation {
  prompts: { line: number; prompt: string; tokens: number[]; reference: string }[];
  /** Where the completions are labels: the label set; accuracy and macro_f1 are then scored. */
  labels?: string[];
  /** The metrics each evaluation reports. */
  metrics: GenerationMetricKey[];
  maxNewTokens: number;
  decoding: InstructionPlan["generation"]["decoding"];
  stopToken: number;
}

const labelMetrics: readonly GenerationMetricKey[] = (
  Object.keys(generationMetrics) as GenerationMetricKey[]
).filter((key) => (generationMetrics[key].tasks as readonly string[]).includes("classification"));

/**
 * The first `plan.generation.examples` validation examples (the split is a seeded shuffle, so they
 * are the same for every trial of a study); `all` decides whether the completions are labels.
 */
export function generationEvaluation(
  validation: readonly InstructionExample[],
  all: readonly InstructionExample[],
  plan: InstructionPlan,
  tokenizer: Tokenizer,
): GenerationEvaluation {
  const { template, generation } = plan;
  if (tokenizer.endOfText === undefined) {
    throw new Error(`a ${tokenizer.kind} tokenizer has no end-of-text token to stop at`);
  }
  const rendered = renderGenerationPrompts(validation.slice(0, generation.examples), template);
  const prompts = rendered.map((prompt) => ({
    ...prompt,
    tokens: encodePrompt(prompt.prompt, prompt.line, tokenizer, template),
  }));
  const labels = completionLabels(all);
  return {
    prompts,
    ...(labels && { labels }),
    metrics: (Object.keys(generationMetrics) as GenerationMetricKey[]).filter(
      (key) => labels !== undefined || !labelMetrics.includes(key),
    ),
    maxNewTokens: generation.maxNewTokens,
    decoding: generation.decoding,
    stopToken: tokenizer.endOfText,
  };
}

/**
 * The tokens that ask the model for the next assistant turn of a conversation, rendered and encoded
 * as the trial's evaluation prompts are (the playground's chat). The messages must be well formed:
 * roles system, user or assistant, none containing the template's end-of-turn marker.
 */
export function conversationPromptTokens(
  messages: readonly ChatMessage[],
  tokenizer: Tokenizer,
  template: ChatTemplate = PLAIN_CHAT_TEMPLATE,
): number[] {
  checkEndOfTurn(messages, template);
  // renderGenerationPrompts renders what comes before an example's last assistant turn: here the
  // turn to be generated, empty.
  const conversation = {
    line: 1,
    messages: [...messages, { role: "assistant" as const, content: "" }],
  };
  const [rendered] = renderGenerationPrompts([conversation], template);
  return encodePrompt(rendered?.prompt ?? "", 1, tokenizer, template);
}

/** The prompt's tokens, its end-of-turn markers as end-of-text tokens (as in training). */
function encodePrompt(
  prompt: string,
  line: number,
  tokenizer: Tokenizer,
  template: ChatTemplate,
): number[] {
  const [encoded] = encodeInstructionExamples(
    [{ line, text: prompt, assistantSpans: [] }],
    tokenizer,
    template,
  );
  return encoded?.tokens ?? [];
}

/** The distinct completions when there are few enough, and examples enough, to call them labels. */
function completionLabels(examples: readonly InstructionExample[]): string[] | undefined {
  const distinct = new Set<string>();
  for (const example of examples) {
    distinct.add(completionOf(example));
    if (distinct.size > MAX_LABELS) return undefined;
  }
  return distinct.size >= 2 && examples.length >= 2 * distinct.size ? [...distinct] : undefined;
}

/** Generates the completions, scores them and keeps the first few as samples. */
export function evaluateGenerations(
  model: GPT,
  tokenizer: Tokenizer,
  evaluation: GenerationEvaluation,
  seed: number,
): Required<Pick<EvalReport, "generationMetrics" | "samples">> {
  const { prompts } = evaluation;
  const completions = generateCompletions(
    model,
    prompts.map((prompt) => prompt.tokens),
    {
      maxNewTokens: evaluation.maxNewTokens,
      stopToken: evaluation.stopToken,
      temperature: evaluation.decoding === "greedy" ? 0 : 1,
      seed,
    },
  );
  const generated = completions.map((tokens) => tokenizer.decode(tokens));
  const scored = prompts.map((prompt, i) => ({
    prediction: generated[i] as string,
    references: [prompt.reference],
  }));
  const options = evaluation.labels === undefined ? {} : { labels: evaluation.labels };
  const metrics = Object.fromEntries(
    evaluation.metrics.map((key) => [key, scoreGenerations(key, scored, options)]),
  );
  const samples: GenerationSample[] = prompts.slice(0, SAMPLES_PER_EVALUATION).map((prompt, i) => ({
    line: prompt.line,
    prompt: prompt.prompt,
    reference: prompt.reference,
    generated: generated[i] as string,
  }));
  return { generationMetrics: metrics, samples };
}
