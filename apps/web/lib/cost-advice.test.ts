import { describe, expect, it } from "vitest";
import { changeCost, formatSeconds, type Pricing, runCost } from "./cost-advice.ts";

// The default settings make the reference GPT: 2,627,328 training FLOPs per token at a vocabulary
// of 65 (core's trialCost test works it out), 1,024 tokens per step. At seq_len 1024 a token
// costs 5,576,448 (attention grows with the length) and a step holds 16,384 tokens: ≈ 34× a step.
const FLOPS_PER_TOKEN = 2_627_328;
/** Runners that train the reference model at 1,000 tokens/s: 1.024 s per step. */
const measured: Pricing = { vocabSize: 65, flopsPerSecond: FLOPS_PER_TOKEN * 1000 };
const unmeasured: Pricing = { vocabSize: 65, flopsPerSecond: null };
const NOT_MEASURED = "no runner has measured its speed yet, so only the relative cost is known";

describe("changeCost", () => {
  it("gives a longer sequence's compute against now, its seconds, and warns of the longer trial", () => {
    const advice = changeCost({
      settings: { seq_len: 64 },
      change: { seq_len: 1024 },
      pricing: measured,
      budget: { steps: 200 },
    });
    // 91.4 GFLOP per step at 2.63 TFLOP/s: 34.8 s; 200 steps: 6,955 s, against 204.8 s now.
    expect(advice).toEqual({
      text: "≈ 34× the compute per step of seq_len 64; about 35 s per step, 1 h 55 min per trial on your runners",
      warning:
        "Each trial would take 34× as long as now (about 1 h 55 min instead of 3 min 25 s): shorten the trials or expect the study to take that much longer.",
    });
  });

  it("says plainly when no runner has measured a speed, and still warns from the relative cost", () => {
    const advice = changeCost({
      settings: {},
      change: { seq_len: 1024 },
      pricing: unmeasured,
      budget: { steps: 200 },
    });
    expect(advice?.text).toBe(`≈ 34× the compute per step of seq_len 64; ${NOT_MEASURED}`);
    expect(advice?.warning).toBe(
      "Each trial would take 34× as long as now: shorten the trials or expect the study to take that much longer.",
    );
  });

  it("does not warn under a token budget, where only the FLOPs per token grow", () => {
    // 62 steps of 16,384 tokens instead of 977 of 1,024: ≈ 2.2× the trial's compute.
    const advice = changeCost({
      settings: {},
      change: { seq_len: 1024 },
      pricing: measured,
      budget: { tokens: 1_000_000 },
    });
    expect(advice).toEqual({
      text: "≈ 34× the compute per step of seq_len 64; about 35 s per step, 35 min 56 s per trial on your runners",
      warning: undefined,
    });
  });

  it("warns when one trial would outlast the study's wall-time limit", () => {
    const advice = changeCost({
      settings: {},
      change: { seq_len: 1024 },
      pricing: measured,
      budget: { tokens: 1_000_000 },
      wallTimeMinutes: 30,
    });
    expect(advice?.warning).toBe(
      "One trial would take about 35 min 56 s, longer than the study's whole wall-time limit of 30 min.",
    );
  });

  it("prices a step alone without a study budget, naming the default it replaces", () => {
    expect(changeCost({ settings: {}, change: { batch_size: 64 }, pricing: measured })).toEqual({
      text: "≈ 4× the compute per step of batch_size 16; about 4.1 s per step on your runners",
      warning: undefined,
    });
    expect(
      changeCost({ settings: { seq_len: 64 }, change: { seq_len: 64 }, pricing: unmeasured })?.text,
    ).toBe(`about the same compute per step as seq_len 64; ${NOT_MEASURED}`);
  });

  it("is undefined when either setting makes no model", () => {
    expect(
      changeCost({ settings: { heads: 3 }, change: { seq_len: 128 }, pricing: measured }),
    ).toBe(undefined);
  });
});

describe("runCost", () => {
  it("gives a run's seconds per step and in all, or its steps alone without a measurement", () => {
    expect(runCost({ settings: {}, steps: 100, pricing: measured })?.text).toBe(
      "about 1 s per step, 1 min 42 s for its 100 steps on your runners",
    );
    expect(runCost({ settings: {}, steps: 100, pricing: unmeasured })?.text).toBe(
      `100 steps; ${NOT_MEASURED}`,
    );
  });
});

describe("formatSeconds", () => {
  it("keeps two digits under 10 s and reads longer times in minutes and hours", () => {
    expect(formatSeconds(0.4213)).toBe("0.42 s");
    expect(formatSeconds(2.14)).toBe("2.1 s");
    expect(formatSeconds(430)).toBe("7 min 10 s");
  });
});
