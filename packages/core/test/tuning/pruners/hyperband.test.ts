import { describe, expect, it } from "vitest";
import { HyperbandPruner } from "../../../src/tuning/pruners/hyperband.ts";
import { study, trial } from "./history.ts";

describe("HyperbandPruner", () => {
  // Resources 1 to 9 with η = 3: log3(9) + 1 = 3 brackets.
  const pruner = new HyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 });
  const inBracket = (bracket: number) =>
    Array.from({ length: 100 }, (_, n) => n).filter((n) => pruner.bracketOf(n) === bracket);

  it("builds brackets from most aggressive to never pruning", () => {
    expect(pruner.brackets.map((bracket) => bracket.rungs)).toEqual([[1, 3], [3], []]);
  });

  it("assigns trials to brackets by number, in Hyperband's proportions", () => {
    // Trials per bracket: ceil(3·3²/3) = 9, ceil(3·3/2) = 5, ceil(3·1/1) = 3, out of 17.
    const counts = [0, 0, 0];
    for (let n = 0; n < 17_000; n++)
      counts[pruner.bracketOf(n)] = (counts[pruner.bracketOf(n)] ?? 0) + 1;
    expect(counts[0] ?? 0).toBeCloseTo(9_000, -3);
    expect(counts[1] ?? 0).toBeCloseTo(5_000, -3);
    expect(counts[2] ?? 0).toBeCloseTo(3_000, -3);
    expect(pruner.bracketOf(42)).toBe(pruner.bracketOf(42));
  });

  it("compares a trial only with trials of its own bracket", () => {
    const [first, second] = inBracket(0) as [number, number];
    const [other] = inBracket(1) as [number];
    const better = (number: number) =>
      trial(number, "completed", [
        [1, 0.1],
        [3, 0.1],
        [9, 0.1],
      ]);
    // A better trial in bracket 0: 0.2 is not the best of 2 at rung 1, so it is pruned.
    expect(pruner.decide(trial(second, "running", [[1, 0.2]]), study([better(first)])).action).toBe(
      "prune",
    );
    // The better trial is in bracket 1: alone in its bracket, the trial continues.
    expect(pruner.decide(trial(second, "running", [[1, 0.2]]), study([better(other)])).action).toBe(
      "continue",
    );
  });

  it("never prunes in the last bracket", () => {
    const [last, ...rest] = inBracket(2) as [number, ...number[]];
    const history = study(
      rest.map((n) =>
        trial(n, "completed", [
          [1, 0],
          [3, 0],
          [9, 0],
        ]),
      ),
    );
    expect(
      pruner.decide(
        trial(last, "running", [
          [1, 5],
          [3, 5],
        ]),
        history,
      ).action,
    ).toBe("continue");
  });
});
