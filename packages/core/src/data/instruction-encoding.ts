/**
 * Rendered examples as token ids with a loss mask: 1 on the tokens the model learns to write (the
 * completion, or the assistant turns), 0 on the prompt. Each stretch of text between span
 * boundaries is encoded on its own, so no token straddles prompt and completion (as TRL tokenizes
 * prompt and completion apart), and the template's eos_token becomes the end-of-text token.
 */
import { type ChatTemplate, type RenderedExample, renderExamples } from "./chat-template.ts";
import { chatRoles, type InstructionDataset } from "./instruction-dataset.ts";
import { createTokenizer, type Tokenizer, type TokenizerKind } from "./tokenizers.ts";

export interface EncodedExample {
  line: number;
  tokens: number[];
  /** 1 where the token is trained on, 0 elsewhere; as long as tokens. */
  mask: number[];
}

export interface EncodingOptions {
  /** Train on every assistant turn of a conversation (default), or only on its last. */
  assistantTurns?: "all" | "last";
}

/** `template` is the one the examples were rendered with, for its eos_token. */
export function encodeInstructionExamples(
  rendered: readonly RenderedExample[],
  tokenizer: Tokenizer,
  template: ChatTemplate,
  options: EncodingOptions = {},
): EncodedExample[] {
  return rendered.map((example) => encodeRendered(example, tokenizer, template.eosToken, options));
}

function encodeRendered(
  rendered: RenderedExample,
  tokenizer: Tokenizer,
  eosToken: string,
  options: EncodingOptions,
): EncodedExample {
  const { endOfText } = tokenizer;
  if (endOfText === undefined) {
    throw new Error(`a ${tokenizer.kind} tokenizer has no end-of-text token to end turns with`);
  }
  const { text, assistantSpans } = rendered;
  const spans = options.assistantTurns === "last" ? assistantSpans.slice(-1) : assistantSpans;
  const tokens: number[] = [];
  const mask: number[] = [];
  const encode = (start: number, end: number, trained: number) => {
    text
      .slice(start, end)
      .split(eosToken)
      .forEach((part, index) => {
        const ids = index === 0 ? tokenizer.encode(part) : [endOfText, ...tokenizer.encode(part)];
        for (const id of ids) {
          tokens.push(id);
          mask.push(trained);
        }
      });
  };
  let position = 0;
  for (const span of spans) {
    encode(position, span.start, 0);
    encode(span.start, span.end, 1);
    position = span.end;
  }
  encode(position, text.length, 0);
  return { line: rendered.line, tokens, mask };
}

/** The text a char tokenizer's vocabulary is built from: eos_token is end-of-text, not characters. */
export function renderedCorpus(
  rendered: readonly RenderedExample[],
  template: ChatTemplate,
): string {
  return rendered.map((example) => example.text.split(template.eosToken).join("")).join("");
}

/**
 * The tokenizer of `kind` for instruction data rendered with `template`. A char tokenizer's
 * vocabulary is every message's characters and the template's own (its role markers, read from a
 * conversation with a message of every role), so that no example needs rendering for it.
 */
export function instructionTokenizer(
  kind: TokenizerKind,
  dataset: InstructionDataset,
  template: ChatTemplate,
): Tokenizer {
  if (kind !== "char") return createTokenizer(kind);
  const probe = { line: 0, messages: chatRoles.map((role) => ({ role, content: "" })) };
  const contents = dataset.examples.map((example) =>
    "messages" in example
      ? example.messages.map((message) => message.content).join("")
      : example.prompt + example.completion,
  );
  return createTokenizer(
    "char",
    renderedCorpus(renderExamples([probe], template), template) + contents.join(""),
  );
}
