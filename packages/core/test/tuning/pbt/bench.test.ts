import { describe, expect, it } from "vitest";
import { runPbtBenchmark } from "../../../bench/pbt.ts";

describe("runPbtBenchmark", () => {
  it("finds a schedule that beats the best fixed rate of random search with the same compute", () => {
    const { ratio } = runPbtBenchmark({ seeds: 5 });
    expect(ratio).toBeLessThan(1);
  });

  it("owes its gain to its rounds: without one, it is random search", () => {
    // With no round before the last step, every member keeps its random rate: random search with
    // other draws, about as good as the best fixed rate on the median, not better by half.
    const { ratio } = runPbtBenchmark({ seeds: 5, perturbationInterval: 400 });
    expect(ratio).toBeGreaterThan(0.5);
  });
});
