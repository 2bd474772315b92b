// The playground's chat, for instruction and dialogue trials, as pure conversions: the turns so far
// (each exchange is kept once its reply has finished) and the reply's text without the end-of-turn
// marker that ends it.
import type { GenerateInput } from "./playground.ts";

export type ChatMessage = NonNullable<GenerateInput["messages"]>[number];

/** How the plain chat template ends a turn; generation stops after it. */
const END_OF_TURN = "<|endoftext|>";

/** A reply as the conversation keeps it: without its end-of-turn marker or surrounding space. */
export function replyText(generated: string): string {
  const end = generated.indexOf(END_OF_TURN);
  return (end === -1 ? generated : generated.slice(0, end)).trim();
}

/** One exchange of the chat: the user's message and the reply generated for it so far. */
export interface Exchange {
  message: string;
  reply: string;
}

/**
 * The conversation with a finished exchange added; an exchange whose reply is empty (the model
 * wrote nothing, or it failed) is left out, since the next prompt could not say it.
 */
export function withExchange(turns: readonly ChatMessage[], exchange: Exchange): ChatMessage[] {
  const reply = replyText(exchange.reply);
  if (reply === "") return [...turns];
  return [
    ...turns,
    { role: "user", content: exchange.message },
    { role: "assistant", content: reply },
  ];
}
