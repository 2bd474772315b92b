import { describe, expect, it } from "vitest";
import { runPrunerBenchmark } from "../../../bench/pruners.ts";

describe("runPrunerBenchmark", () => {
  it("reaches random search's best configuration with under a third of its resource", () => {
    const { lines, ashaResourceFraction } = runPrunerBenchmark({ seeds: 5 });
    expect(ashaResourceFraction).toBeLessThanOrEqual(0.33);
    expect(lines.map((line) => line.split(/\s{2,}/)[0])).toEqual([
      "pruners: 81 configs x 81 steps, 4 workers, median over 5 seeds",
      "pruner",
      "random (full)",
      "asha (pause)",
      "asha (prune)",
      "hyperband",
      "median",
    ]);
  });
});
