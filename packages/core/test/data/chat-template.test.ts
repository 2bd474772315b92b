import { describe, expect, it } from "vitest";
import {
  type ChatTemplate,
  chatTemplateFromTokenizerConfig,
  PLAIN_CHAT_TEMPLATE,
  type RenderedExample,
  renderExamples,
} from "../../src/data/chat-template.ts";
import type { Conversation } from "../../src/data/instruction-dataset.ts";
import { DatasetError } from "../../src/data/text-dataset.ts";

/**
 * The chat template and special tokens of HuggingFaceTB/SmolLM2-135M-Instruct's
 * tokenizer_config.json (ChatML, with a default system message), as the Hub serves it.
 */
const smolLm2TokenizerConfig = {
  add_prefix_space: false,
  bos_token: "<|im_start|>",
  chat_template:
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
  clean_up_tokenization_spaces: false,
  eos_token: "<|im_end|>",
  model_max_length: 8192,
  pad_token: "<|im_end|>",
  tokenizer_class: "GPT2Tokenizer",
  unk_token: "<|endoftext|>",
};

/** mistralai/Mistral-7B-Instruct-v0.1's template: no generation prompt, and it raises on a system message. */
const mistralTemplate: ChatTemplate = {
  source:
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
  bosToken: "<s>",
  eosToken: "</s>",
};

const chat = (line: number, ...turns: [Conversation["messages"][number]["role"], string][]) => ({
  line,
  messages: turns.map(([role, content]) => ({ role, content })),
});

/** The text of each assistant span, to compare spans readably. */
const spanTexts = ({ text, assistantSpans }: RenderedExample) =>
  assistantSpans.map(({ start, end }) => text.slice(start, end));

function renderError(examples: Conversation[], template: ChatTemplate): DatasetError {
  try {
    renderExamples(examples, template);
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error("expected renderExamples to throw");
}

describe("a model's own chat template (Jinja)", () => {
  const smolLm2 = chatTemplateFromTokenizerConfig(smolLm2TokenizerConfig) as ChatTemplate;

  it("is read from tokenizer_config.json with its special tokens", () => {
    expect(smolLm2).toEqual({
      source: smolLm2TokenizerConfig.chat_template,
      bosToken: "<|im_start|>",
      eosToken: "<|im_end|>",
    });
    expect(chatTemplateFromTokenizerConfig({ eos_token: "</s>" })).toBeUndefined();
    // Older configs keep special tokens as AddedToken objects, and may name several templates.
    const named = chatTemplateFromTokenizerConfig({
      chat_template: [
        { name: "tool_use", template: "tools" },
        { name: "default", template: "chat" },
      ],
      eos_token: { content: "</s>", lstrip: false },
    });
    expect(named).toEqual({ source: "chat", bosToken: "", eosToken: "</s>" });
    expect(() =>
      chatTemplateFromTokenizerConfig({ chat_template: [{ name: "rag", template: "x" }] }),
    ).toThrow('the tokenizer config\'s chat templates are "rag", none "default"');
  });

  it("renders a ChatML conversation as transformers does, and finds each assistant turn", () => {
    const [rendered] = renderExamples(
      [chat(7, ["user", "Hi"], ["assistant", "Hello."], ["user", "Bye"], ["assistant", "Bye."])],
      smolLm2,
    );
    expect(rendered?.text).toBe(
      "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
        "<|im_start|>user\nHi<|im_end|>\n" +
        "<|im_start|>assistant\nHello.<|im_end|>\n" +
        "<|im_start|>user\nBye<|im_end|>\n" +
        "<|im_start|>assistant\nBye.<|im_end|>\n",
    );
    // Each turn with its end-of-turn marker, after the generation prompt.
    expect(spanTexts(rendered as RenderedExample)).toEqual([
      "Hello.<|im_end|>\n",
      "Bye.<|im_end|>\n",
    ]);
    expect(rendered?.line).toBe(7);
  });

  it("renders a prompt/completion pair as a user turn and an assistant turn", () => {
    const [rendered] = renderExamples(
      [{ line: 1, prompt: "2+2=", completion: "4" }],
      mistralTemplate,
    );
    expect(rendered?.text).toBe("<s>[INST] 2+2= [/INST]4</s>");
    expect(spanTexts(rendered as RenderedExample)).toEqual(["4</s>"]);
  });

  it("names the line of an example the template raises on", () => {
    const error = renderError(
      [
        chat(1, ["user", "a"], ["assistant", "b"]),
        chat(2, ["system", "s"], ["user", "a"], ["assistant", "b"]),
      ],
      mistralTemplate,
    );
    expect(error.line).toBe(2);
    expect(error.message).toBe(
      "line 2: the chat template fails on this example: Conversation roles must alternate user/assistant/user/assistant/...",
    );
  });

  it("refuses a template that does not render a conversation's beginning as its prefix", () => {
    const lastIsSpecial: ChatTemplate = {
      source:
        "{% for m in messages %}{% if loop.last %}[end]{% endif %}{{ m.content }}{% endfor %}",
      bosToken: "",
      eosToken: "</s>",
    };
    const error = renderError([chat(3, ["user", "a"], ["assistant", "b"])], lastIsSpecial);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(
      /^line 3: the chat template does not render the conversation up to message 2 \(assistant\)/,
    );
  });

  it("refuses content holding the end-of-turn marker, which would end the turn early", () => {
    const error = renderError([chat(4, ["user", "a"], ["assistant", "b<|im_end|>c"])], smolLm2);
    expect(error.message).toBe(
      "line 4: message 2 (assistant) contains <|im_end|>, which the chat template uses to end a turn",
    );
  });

  it("says when the template does not parse", () => {
    expect(() => renderExamples([], { ...PLAIN_CHAT_TEMPLATE, source: "{% for %}" })).toThrow(
      /^the chat template does not parse: /,
    );
  });
});

describe("the plain template, for models without one", () => {
  it("writes role markers and ends each turn with end-of-text", () => {
    const [rendered] = renderExamples(
      [
        chat(
          1,
          ["system", "Be brief."],
          ["user", "2+2?"],
          ["assistant", "4"],
          ["user", "3+3?"],
          ["assistant", "6"],
        ),
      ],
      PLAIN_CHAT_TEMPLATE,
    );
    expect(rendered?.text).toBe(
      "<|system|>\nBe brief.<|endoftext|>\n<|user|>\n2+2?<|endoftext|>\n<|assistant|>\n4<|endoftext|>\n<|user|>\n3+3?<|endoftext|>\n<|assistant|>\n6<|endoftext|>",
    );
    expect(spanTexts(rendered as RenderedExample)).toEqual(["4<|endoftext|>", "6<|endoftext|>"]);
  });

  it("handles a conversation that opens with the assistant", () => {
    const [rendered] = renderExamples([chat(1, ["assistant", "Hi!"])], PLAIN_CHAT_TEMPLATE);
    expect(rendered?.text).toBe("<|assistant|>\nHi!<|endoftext|>");
    expect(spanTexts(rendered as RenderedExample)).toEqual(["Hi!<|endoftext|>"]);
  });
});
