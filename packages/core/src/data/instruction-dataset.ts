/**
 * Instruction data: prompt/completion pairs and chat conversations, from JSONL or the chosen
 * columns of a CSV file. Every problem names the line of the example it is in.
 */
import { DatasetError } from "./dataset-error.ts";
import { type DatasetRecord, kindOf, stringField } from "./records.ts";

export const chatRoles = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof chatRoles)[number];

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** `line` is where the example is in its file (or its position in a built-in corpus), from 1. */
export interface PromptCompletion {
  line: number;
  prompt: string;
  completion: string;
}

export interface Conversation {
  line: number;
  messages: ChatMessage[];
}

export type InstructionExample = PromptCompletion | Conversation;

export type InstructionDataset =
  | { format: "prompt-completion"; examples: PromptCompletion[] }
  | { format: "chat"; examples: Conversation[] };

export type InstructionDatasetFormat = InstructionDataset["format"];

/** What the model learns to write last: the completion, or the conversation's last assistant message. */
export function completionOf(example: InstructionExample): string {
  if (!("messages" in example)) return example.completion;
  return example.messages.findLast((message) => message.role === "assistant")?.content ?? "";
}

/** CSV columns for each instruction format: the column to read each field from. */
export type PromptCompletionColumns = { prompt: string; completion: string };
/**
 * One conversation per row: its messages as a JSON array in one column (as in chat JSONL), or one
 * exchange in user, assistant and maybe system columns (an empty system cell is no message).
 */
export type ChatColumns =
  | { messages: string }
  | { user: string; assistant: string; system?: string };

export const PROMPT_COMPLETION_EXAMPLE = '{"prompt": "...", "completion": "..."}';
export const CHAT_EXAMPLE = '{"messages": [{"role": "user", "content": "..."}, ...]}';

/** The prompt may be empty (unconditional generation); the completion, which is trained on, not. */
export function promptCompletion(record: DatasetRecord): PromptCompletion {
  const prompt = stringField(record, "prompt");
  const completion = stringField(record, "completion");
  if (completion === "") throw new DatasetError('"completion" is empty', record.line);
  return { line: record.line, prompt, completion };
}

/** A record with a "messages" array (JSONL). */
export function conversation(record: DatasetRecord): Conversation {
  const { messages } = record.fields;
  if (!Array.isArray(messages)) {
    throw new DatasetError(
      `expected a "messages" array like ${CHAT_EXAMPLE}, got ${kindOf(messages)}`,
      record.line,
    );
  }
  return checkedConversation(
    messages.map((message, index) => chatMessage(message, index + 1, record.line)),
    record.line,
  );
}

/** A record whose "messages" field is the JSON text of the messages array (a CSV cell). */
export function conversationFromJsonCell(record: DatasetRecord): Conversation {
  const cell = stringField(record, "messages");
  let messages: unknown;
  try {
    messages = JSON.parse(cell);
  } catch (error) {
    throw new DatasetError(
      `the "messages" cell is not valid JSON (${(error as Error).message}): expected an array like [{"role": "user", "content": "..."}, ...]`,
      record.line,
    );
  }
  return conversation({ line: record.line, fields: { messages } });
}

/** A record with "user", "assistant" and maybe "system" fields (CSV columns). */
export function exchange(record: DatasetRecord): Conversation {
  const messages = (["system", "user", "assistant"] as const).flatMap((role) =>
    role === "system" && record.fields.system === undefined
      ? []
      : [{ role, content: stringField(record, role) }],
  );
  return checkedConversation(messages, record.line);
}

function chatMessage(value: unknown, position: number, line: number): ChatMessage {
  const where = `message ${position}`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DatasetError(
      `${where}: expected an object like {"role": "user", "content": "..."}, got ${JSON.stringify(value)}`,
      line,
    );
  }
  const { role, content } = value as Record<string, unknown>;
  if (!chatRoles.includes(role as ChatRole)) {
    throw new DatasetError(
      `${where}: role ${JSON.stringify(role)} is not one of ${chatRoles.join(", ")}`,
      line,
    );
  }
  if (typeof content !== "string") {
    throw new DatasetError(
      `${where} (${role}): expected a string "content", got ${kindOf(content)}`,
      line,
    );
  }
  return { role: role as ChatRole, content };
}

/** A conversation is trained on its assistant messages: it needs one, and none may be empty. */
function checkedConversation(messages: ChatMessage[], line: number): Conversation {
  if (messages.length === 0) {
    throw new DatasetError('"messages" is empty: a conversation needs at least one message', line);
  }
  if (!messages.some((message) => message.role === "assistant")) {
    throw new DatasetError("the conversation has no assistant message to train on", line);
  }
  messages.forEach((message, index) => {
    if (message.role === "assistant" && message.content === "") {
      throw new DatasetError(`message ${index + 1} (assistant): the content is empty`, line);
    }
  });
  return { line, messages };
}
