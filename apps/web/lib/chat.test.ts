import { describe, expect, it } from "vitest";
import { replyText, withExchange } from "./chat.ts";

describe("the playground's chat", () => {
  it("keeps a reply without its end-of-turn marker", () => {
    expect(replyText(" HH AH0 L OW1<|endoftext|>")).toBe("HH AH0 L OW1");
    expect(replyText("cut off by the length limit")).toBe("cut off by the length limit");
  });

  it("adds a finished exchange, and leaves out one without a reply", () => {
    const first = withExchange([], { message: "hello", reply: "HH AH0 L OW1<|endoftext|>" });
    expect(first).toEqual([
      { role: "user", content: "hello" },
      { role: "assistant", content: "HH AH0 L OW1" },
    ]);
    expect(withExchange(first, { message: "world", reply: "<|endoftext|>" })).toEqual(first);
  });
});
