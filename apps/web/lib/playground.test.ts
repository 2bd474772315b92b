import { describe, expect, it } from "vitest";
import {
  DEFAULT_PLAYGROUND_FIELDS,
  type GenerationSource,
  generateInput,
  generationErrorText,
  generationSourceText,
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

  it("says so when the caller lost access to the trial, even mid-stream", () => {
    for (const code of ["NOT_FOUND", "FORBIDDEN"]) {
      expect(generationErrorText(code, "trial t not found")).toBe(
        "This trial does not exist, or you no longer have access to it.",
      );
    }
    expect(generationErrorText("UNAUTHORIZED", "the session has ended")).toBe(
      "Your session or API key has ended. Sign in again to generate.",
    );
  });
});

describe("generationSourceText", () => {
  const source = (overrides: Partial<GenerationSource>): GenerationSource => ({
    kind: "best",
    step: 400,
    steps: 400,
    tokensSeen: 409_600,
    task: "language-modelling",
    tokenizer: "char",
    metrics: {},
    ...overrides,
  });
  const lossAgainst = (loss: number, baseline = 3.05) =>
    generationSourceText(
      source({
        metrics: {
          val_loss: { step: 400, value: loss },
          baseline_val_loss: { step: 0, value: baseline },
        },
      }),
    );

  it("gives the step, the tokens seen and the loss against the unigram baseline, judged", () => {
    expect(lossAgainst(1.92)).toBe(
      "Generates from the trial's best checkpoint, at step 400 of 400 (409,600 characters seen): validation loss 1.92 nats against 3.05 for a model that only knows character frequencies (the unigram baseline): partly trained.",
    );
    // The judgement turns at 0.9 and 0.6 of the baseline (3.05: 2.745 and 1.83).
    expect(lossAgainst(3.2)).toMatch(/: barely trained\.$/);
    expect(lossAgainst(2.75)).toMatch(/: barely trained\.$/);
    expect(lossAgainst(2.74)).toMatch(/: partly trained\.$/);
    expect(lossAgainst(1.84)).toMatch(/: partly trained\.$/);
    expect(lossAgainst(1.82)).toMatch(/: well trained\.$/);
  });

  it("says when the validation loss is from an evaluation before the checkpoint, or missing", () => {
    const last = {
      kind: "last" as const,
      step: 250,
      tokensSeen: 256_000,
      tokenizer: "gpt2" as const,
    };
    expect(
      generationSourceText(
        source({
          ...last,
          metrics: {
            val_loss: { step: 200, value: 6.8 },
            baseline_val_loss: { step: 0, value: 7.1 },
          },
        }),
      ),
    ).toBe(
      "Generates from the trial's last checkpoint, at step 250 of 400 (256,000 tokens seen): validation loss 6.80 nats at step 200 against 7.10 for a model that only knows token frequencies (the unigram baseline): barely trained.",
    );
    expect(generationSourceText(source({ ...last, metrics: {} }))).toBe(
      "Generates from the trial's last checkpoint, at step 250 of 400 (256,000 tokens seen); it has not been evaluated yet.",
    );
    expect(generationSourceText(source({ metrics: { val_loss: { step: 400, value: 1.5 } } }))).toBe(
      "Generates from the trial's best checkpoint, at step 400 of 400 (409,600 characters seen): validation loss 1.50 nats (no baseline was recorded to judge it by).",
    );
  });

  it("judges a classifier's accuracy against always guessing the commonest label", () => {
    const classifier = (accuracy: number, majority: number) =>
      generationSourceText(
        source({
          task: "classification",
          tokenizer: "byte",
          tokensSeen: 12_800,
          step: 50,
          steps: 50,
          metrics: {
            val_loss: { step: 50, value: 0.6 },
            val_accuracy: { step: 50, value: accuracy },
            baseline_val_loss: { step: 0, value: 0.69 },
            baseline_val_accuracy: { step: 0, value: majority },
          },
        }),
      );
    // (0.78 - 0.6) / (1 - 0.6) = 0.45 of the way to a perfect score; past 0.5 is well trained.
    expect(classifier(0.78, 0.6)).toBe(
      "Generates from the trial's best checkpoint, at step 50 of 50 (12,800 bytes seen): validation accuracy 78% against 60% for always guessing the commonest label: partly trained.",
    );
    expect(classifier(0.63, 0.6)).toMatch(/: barely trained\.$/);
    expect(classifier(0.81, 0.6)).toMatch(/: well trained\.$/);
    expect(classifier(1, 1)).toMatch(/commonest label\.$/);
  });
});
