import { describe, expect, it } from "vitest";
import { learningRateAt, type Schedule, scheduleSchema } from "../../src/train/schedules.ts";

/** The rates at the given steps, for a schedule written as the user would (defaults filled in). */
function ratesAt(input: unknown, baseLr: number, steps: number[]): number[] {
  const schedule: Schedule = scheduleSchema.parse(input);
  return steps.map((step) => learningRateAt(schedule, baseLr, step));
}

function expectClose(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(value, `value ${i}`).toBeCloseTo(expected[i] as number, 12);
  });
}

describe("learning-rate schedules", () => {
  it("constant keeps the base rate", () => {
    expectClose(ratesAt({ kind: "constant" }, 0.1, [0, 1, 1000]), [0.1, 0.1, 0.1]);
  });

  it("step decay halves every stepSize steps (PyTorch StepLR)", () => {
    const rates = ratesAt({ kind: "step", stepSize: 3, gamma: 0.5 }, 0.1, [0, 2, 3, 5, 6, 9]);
    // 0.1 * 0.5^floor(step / 3)
    expectClose(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it("exponential with decaySteps 1 is PyTorch ExponentialLR", () => {
    const rates = ratesAt({ kind: "exponential", decayRate: 0.9 }, 0.1, [0, 1, 2, 3, 10]);
    // 0.1 * 0.9^step; 0.9^10 = 0.3486784401
    expectClose(rates, [0.1, 0.09, 0.081, 0.0729, 0.03486784401]);
  });

  it("exponential follows Keras ExponentialDecay, smooth and staircase", () => {
    const smooth = ratesAt({ kind: "exponential", decayRate: 0.5, decaySteps: 4 }, 0.1, [2, 4, 6]);
    // 0.1 * 0.5^(2/4) = 0.1 / sqrt(2); 0.1 * 0.5; 0.1 * 0.5^(6/4) = 0.05 / sqrt(2)
    expectClose(smooth, [0.070710678118654752, 0.05, 0.035355339059327376]);
    const staircase = ratesAt(
      { kind: "exponential", decayRate: 0.5, decaySteps: 4, staircase: true },
      0.1,
      [2, 4, 6, 8],
    );
    // 0.1 * 0.5^floor(step / 4)
    expectClose(staircase, [0.1, 0.05, 0.05, 0.025]);
  });

  it("cosine decays to the floor and stays there (PyTorch CosineAnnealingLR closed form)", () => {
    const rates = ratesAt({ kind: "cosine", decaySteps: 10, minLr: 0.01 }, 0.1, [0, 2, 5, 10, 15]);
    // 0.01 + 0.09 * (1 + cos(pi * step / 10)) / 2; cos(pi/5) = (1 + sqrt 5) / 4 = 0.80901699...
    // step 2: 0.01 + 0.09 * 1.80901699 / 2 = 0.0914057647; step 5: cos(pi/2) = 0, 0.01 + 0.045
    expectClose(rates, [0.1, 0.09140576474687263, 0.055, 0.01, 0.01]);
  });

  it("one-cycle rises then anneals like PyTorch OneCycleLR", () => {
    // max_lr 0.1, div_factor 25, final_div_factor 1e4: initial 0.004, final 0.004 / 1e4 = 4e-7.
    // pct_start 0.3 of 10 steps: the rise ends at step 0.3 * 10 - 1 = 2; halfway (step 1) the rate
    // is 0.1 + (0.004 - 0.1) / 2 = 0.052.
    expectClose(
      ratesAt({ kind: "one-cycle", totalSteps: 10 }, 0.1, [0, 1, 2]),
      [0.004, 0.052, 0.1],
    );
    // The fall runs from step 2 to step 9; at step 3 it is 1/7 of the way:
    // 4e-7 + (0.1 - 4e-7) / 2 * (1 + cos(pi / 7)), cos(pi / 7) = 0.9009688679
    expectClose(ratesAt({ kind: "one-cycle", totalSteps: 10 }, 0.1, [3]), [0.09504846320134738]);
    const rates = ratesAt(
      { kind: "one-cycle", totalSteps: 10, pctStart: 0.2 },
      0.1,
      [0, 1, 3, 5, 9, 20],
    );
    // Rise ends at step 0.2 * 10 - 1 = 1; the fall from step 1 to 9 is a quarter done at step 3:
    // 4e-7 + (0.1 - 4e-7) / 2 * (1 + sqrt(2) / 2) = 0.0853553976; halfway at step 5:
    // 4e-7 + (0.1 - 4e-7) / 2 = 0.0500002; the end, 4e-7, holds after the last step.
    expectClose(rates, [0.004, 0.1, 0.08535539763797113, 0.0500002, 4e-7, 4e-7]);
  });

  it("linear warmup rises from 0 and then runs the schedule from its step 0", () => {
    expectClose(
      ratesAt({ kind: "constant", warmupSteps: 4 }, 0.1, [0, 1, 2, 4, 100]),
      // 0.1 * step / 4 during warmup
      [0, 0.025, 0.05, 0.1, 0.1],
    );
    expectClose(
      ratesAt({ kind: "step", stepSize: 3, gamma: 0.5, warmupSteps: 2 }, 0.1, [1, 2, 5]),
      // 0.1 * 1/2; then step decay at its steps 0 and 3
      [0.05, 0.1, 0.05],
    );
    expectClose(
      ratesAt({ kind: "cosine", decaySteps: 10, warmupSteps: 5 }, 0.1, [1, 5, 10, 15]),
      // 0.1 * 1/5; cosine at its steps 0, 5 (halfway: 0.05) and 10 (the floor, 0)
      [0.02, 0.1, 0.05, 0],
    );
    expectClose(
      ratesAt({ kind: "one-cycle", totalSteps: 10, warmupSteps: 2 }, 0.1, [1, 2]),
      // warms up to the one-cycle's own starting rate, 0.004: halfway 0.002
      [0.002, 0.004],
    );
  });

  it("fills in defaults", () => {
    expect(scheduleSchema.parse({ kind: "one-cycle", totalSteps: 100 })).toEqual({
      kind: "one-cycle",
      totalSteps: 100,
      pctStart: 0.3,
      divFactor: 25,
      finalDivFactor: 1e4,
      warmupSteps: 0,
    });
    expect(scheduleSchema.parse({ kind: "exponential", decayRate: 0.5 })).toEqual({
      kind: "exponential",
      decayRate: 0.5,
      decaySteps: 1,
      staircase: false,
      warmupSteps: 0,
    });
  });

  it("rejects invalid schedules with messages that name the problem", () => {
    const messageFor = (input: unknown) => {
      const result = scheduleSchema.safeParse(input);
      return result.success ? "accepted" : result.error.issues.map((i) => i.message).join("; ");
    };
    expect(messageFor({ kind: "linear" })).toMatch(/kind must be one of "constant", "step"/);
    expect(messageFor({ kind: "step", stepSize: 0, gamma: 0.5 })).toBe(
      "stepSize must be at least 1",
    );
    expect(messageFor({ kind: "step", stepSize: 10, gamma: 1.5 })).toMatch(
      /gamma must be at most 1/,
    );
    expect(messageFor({ kind: "cosine", decaySteps: 10, minLr: -1 })).toBe(
      "minLr must be 0 or more",
    );
    expect(messageFor({ kind: "constant", warmupSteps: 2.5 })).toMatch(
      /warmupSteps must be a whole/,
    );
    expect(messageFor({ kind: "one-cycle", totalSteps: 10, pctStart: 0.05 })).toMatch(
      /pctStart \* totalSteps must be above 1/,
    );
    expect(messageFor({ kind: "one-cycle", totalSteps: 10, pctStart: 1 })).toBe(
      "pctStart must be below 1",
    );
  });

  it("rejects a bad step or base rate", () => {
    const schedule = scheduleSchema.parse({ kind: "constant" });
    expect(() => learningRateAt(schedule, 0.1, -1)).toThrow(/step must be a whole number/);
    expect(() => learningRateAt(schedule, 0.1, 1.5)).toThrow(/step must be a whole number/);
    expect(() => learningRateAt(schedule, 0, 1)).toThrow(/base learning rate must be a positive/);
  });
});
