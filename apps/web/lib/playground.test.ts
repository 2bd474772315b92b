import { describe, expect, it } from "vitest";
import {
  DEFAULT_PLAYGROUND_FIELDS,
  generateInput,
  generationErrorText,
  type PlaygroundFields,
} from "./playground.ts";

const fields = (overrides: Partial<PlaygroundFields>): PlaygroundFields => ({
  ...DEFAULT_PLAYGROUND_FIELDS,
  ...overrides,
});

describe("generateInput", () => {
  it("turns the form into the subscription's input, seeding a blank seed", () => {
    expect(generateInput("t", fields({ prompt: "Call me", topP: " 0.9 " }), () => 77)).toEqual({
      ok: true,
      input: {
        trialId: "t",
        prompt: "Call me",
        maxLength: 200,
        temperature: 0.8,
        topK: 40,
        topP: 0.9,
        seed: 77,
      },
    });
  });

  it("leaves blank options out and keeps a given seed", () => {
    const result = generateInput("t", fields({ topK: "", seed: "5", temperature: "0" }), () => 1);
    expect(result).toEqual({
      ok: true,
      input: { trialId: "t", prompt: "", maxLength: 200, temperature: 0, seed: 5 },
    });
  });

  it("names every field outside the API's bounds", () => {
    const result = generateInput(
      "t",
      fields({
        prompt: "x".repeat(2001),
        maxLength: "501",
        temperature: "hot",
        topK: "2.5",
        topP: "0",
        seed: "-1",
      }),
    );
    expect(result.ok).toBe(false);
    expect(Object.keys(result.ok ? {} : result.errors).sort()).toEqual(
      ["maxLength", "prompt", "seed", "temperature", "topK", "topP"].sort(),
    );
    const blankLength = generateInput("t", fields({ maxLength: " " }));
    expect(blankLength).toEqual({
      ok: false,
      errors: { maxLength: "Enter a whole number from 1 to 500." },
    });
    expect(generateInput("t", fields({ topP: "1", maxLength: "500" })).ok).toBe(true);
  });
});

describe("generationErrorText", () => {
  it("says plainly that there is no checkpoint yet", () => {
    expect(
      generationErrorText(
        "PRECONDITION_FAILED",
        "trial x has no checkpoint yet; it saves one as it trains",
      ),
    ).toBe(
      "This trial has no checkpoint yet. It saves one as it trains; generate again once it has.",
    );
  });

  it("explains a prompt the tokenizer cannot read, and passes other failures on", () => {
    expect(generationErrorText("BAD_REQUEST", 'prompt: unknown character "Q"')).toBe(
      'The model cannot read this prompt: unknown character "Q"',
    );
    expect(generationErrorText("INTERNAL_SERVER_ERROR", "boom")).toBe("Generation failed: boom");
  });
});
