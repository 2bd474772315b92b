/**
 * Chat templates: conversations and prompt/completion pairs rendered as the text a model reads,
 * with the character spans of the assistant turns (what training learns to write).
 *
 * A model's own template is Jinja, as in its tokenizer_config.json, rendered with Hugging Face's
 * @huggingface/jinja; models without one get PLAIN_CHAT_TEMPLATE. A prompt/completion pair is a
 * user turn and an assistant turn.
 *
 * Finding the assistant turns works with any template, as long as it renders a conversation's
 * beginning as a prefix of the whole: assistant message i spans from the end of messages [0, i)
 * rendered with the generation prompt (add_generation_prompt, e.g. "<|im_start|>assistant\n") to
 * the end of messages [0, i] rendered without it. So the span is the message with the template's
 * end-of-turn marker, which the model must learn to write so that generation stops. (transformers'
 * return_assistant_tokens_mask instead needs {% generation %} blocks, which few templates have.)
 */
import { Template } from "@huggingface/jinja";
import { z } from "zod";
import { DatasetError } from "./dataset-error.ts";
import { type ChatMessage, completionOf, type InstructionExample } from "./instruction-dataset.ts";
import { END_OF_TEXT } from "./tokenizers.ts";

export interface ChatTemplate {
  /** Jinja source, as tokenizer_config.json's chat_template. */
  source: string;
  /** Rendered for bos_token; "" for a model without one. */
  bosToken: string;
  /** Rendered for eos_token. In rendered text it is encoded as the tokenizer's end-of-text token. */
  eosToken: string;
}

/**
 * For models without a template of their own: each turn is its role marker, a newline, the content
 * and end-of-text, and turns are separated by a newline:
 *
 *     <|user|>
 *     What is 2 + 2?<|endoftext|>
 *     <|assistant|>
 *     4<|endoftext|>
 */
export const PLAIN_CHAT_TEMPLATE: ChatTemplate = {
  // Newlines after a block tag are written as expressions: templates render with trim_blocks, as
  // transformers renders them, which drops a newline that follows a tag.
  source:
    "{% for message in messages %}{% if not loop.first %}{{ '\\n' }}{% endif %}" +
    "<|{{ message.role }}|>\n{{ message.content }}{{ eos_token }}{% endfor %}" +
    "{% if add_generation_prompt %}{% if messages %}{{ '\\n' }}{% endif %}<|assistant|>\n{% endif %}",
  bosToken: "",
  eosToken: END_OF_TEXT,
};

/** Special tokens are a string, or an AddedToken object whose content is the string. */
const specialToken = z
  .union([z.string(), z.object({ content: z.string() }).transform((token) => token.content)])
  .nullish();

const tokenizerConfigSchema = z.object({
  chat_template: z
    .union([z.string(), z.array(z.object({ name: z.string(), template: z.string() }))])
    .optional(),
  bos_token: specialToken,
  eos_token: specialToken,
});

/**
 * The chat template of a tokenizer_config.json (its "default" one when it names several), or
 * undefined when it has none. Without an eos_token, eos_token renders as END_OF_TEXT.
 */
export function chatTemplateFromTokenizerConfig(config: unknown): ChatTemplate | undefined {
  const parsed = tokenizerConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new Error(`invalid tokenizer_config.json: ${z.prettifyError(parsed.error)}`);
  }
  const { chat_template: template, bos_token: bosToken, eos_token: eosToken } = parsed.data;
  if (template === undefined) return undefined;
  const source =
    typeof template === "string"
      ? template
      : template.find((named) => named.name === "default")?.template;
  if (source === undefined) {
    const names = (template as { name: string }[]).map((named) => JSON.stringify(named.name));
    throw new Error(
      `the tokenizer config's chat templates are ${names.join(", ")}, none "default"`,
    );
  }
  return { source, bosToken: bosToken ?? "", eosToken: eosToken || END_OF_TEXT };
}

export interface CharacterSpan {
  start: number;
  end: number;
}

export interface RenderedExample {
  line: number;
  text: string;
  /** The assistant turns in `text` (UTF-16 offsets, end exclusive), in order. */
  assistantSpans: CharacterSpan[];
}

/** Throws a DatasetError naming the line of an example the template fails on. */
export function renderExamples(
  examples: readonly InstructionExample[],
  template: ChatTemplate,
): RenderedExample[] {
  const render = chatRenderer(template);
  return examples.map(render);
}

/** What a model is asked to continue, and the completion the example gives. */
export interface GenerationPrompt {
  line: number;
  /** The messages before the last assistant message, rendered with the generation prompt. */
  prompt: string;
  /** The last assistant message's content. */
  reference: string;
}

/** Throws a DatasetError naming the line of an example the template fails on. */
export function renderGenerationPrompts(
  examples: readonly InstructionExample[],
  template: ChatTemplate,
): GenerationPrompt[] {
  const compiled = compileTemplate(template);
  return examples.map((example) => {
    const messages = exampleMessages(example);
    const last = messages.findLastIndex((message) => message.role === "assistant");
    try {
      const prompt = compiled.render({
        messages: messages.slice(0, last),
        add_generation_prompt: true,
        bos_token: template.bosToken,
        eos_token: template.eosToken,
      });
      return { line: example.line, prompt, reference: completionOf(example) };
    } catch (error) {
      throw new DatasetError(
        `the chat template fails on this example's prompt: ${(error as Error).message}`,
        example.line,
      );
    }
  });
}

function compileTemplate(template: ChatTemplate): Template {
  try {
    return new Template(template.source);
  } catch (error) {
    throw new Error(`the chat template does not parse: ${(error as Error).message}`);
  }
}

function chatRenderer(template: ChatTemplate): (example: InstructionExample) => RenderedExample {
  const compiled = compileTemplate(template);
  return (example) => {
    const { line } = example;
    const messages = exampleMessages(example);
    checkEndOfTurn(messages, template, line);
    const render = (count: number, addGenerationPrompt: boolean) => {
      try {
        return compiled.render({
          messages: messages.slice(0, count),
          add_generation_prompt: addGenerationPrompt,
          bos_token: template.bosToken,
          eos_token: template.eosToken,
        });
      } catch (error) {
        throw new DatasetError(
          `the chat template fails on this example: ${(error as Error).message}`,
          line,
        );
      }
    };
    const text = render(messages.length, false);
    const assistantSpans = messages.flatMap((message, index) => {
      if (message.role !== "assistant") return [];
      const before = render(index, true);
      const through = render(index + 1, false);
      if (!through.startsWith(before) || !text.startsWith(through)) {
        throw new DatasetError(
          `the chat template does not render the conversation up to message ${index + 1} (assistant) as the beginning of the whole, so the assistant's tokens cannot be found`,
          line,
        );
      }
      return [{ start: before.length, end: through.length }];
    });
    return { line, text, assistantSpans };
  };
}

/**
 * Refuses a message holding the template's end-of-turn marker, which would end its turn early once
 * encoded. `line` is the example's, when it comes from a dataset.
 */
export function checkEndOfTurn(
  messages: readonly ChatMessage[],
  template: ChatTemplate,
  line?: number,
) {
  messages.forEach((message, index) => {
    if (message.content.includes(template.eosToken)) {
      throw new DatasetError(
        `message ${index + 1} (${message.role}) contains ${template.eosToken}, which the chat template uses to end a turn`,
        line,
      );
    }
  });
}

function exampleMessages(example: InstructionExample): ChatMessage[] {
  if ("messages" in example) return example.messages;
  return [
    { role: "user", content: example.prompt },
    { role: "assistant", content: example.completion },
  ];
}

/** Why a chat template's Jinja source does not parse, or undefined when it does. */
export function chatTemplateProblem(source: string): string | undefined {
  try {
    new Template(source);
    return undefined;
  } catch (error) {
    return `the chat template does not parse: ${(error as Error).message}`;
  }
}
