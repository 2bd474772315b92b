import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { RandomSampler } from "../../src/tuning/samplers/random.ts";
import { TpeSampler } from "../../src/tuning/samplers/tpe.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { StudyHistory, TrialRecord } from "../../src/tuning/types.ts";
import { warmStartHistory } from "../../src/tuning/warm-start.ts";

const space: SearchSpace = {
  lr: { type: "float", low: 1e-4, high: 1e-2, log: true },
  schedule: { type: "categorical", choices: ["cosine", "step"] },
  gamma: { type: "float", low: 0.1, high: 0.9, when: { schedule: ["step"] } },
};

function trial(
  number: number,
  params: TrialRecord["params"],
  state: TrialRecord["state"] = "completed",
): TrialRecord {
  return { number, params, state, values: [number], intermediate: [] };
}

describe("warm start", () => {
  const previous: StudyHistory = {
    directions: ["minimize"],
    trials: [
      trial(7, { lr: 1e-3, schedule: "step", gamma: 0.5 }),
      trial(2, { lr: 1e-3, schedule: "cosine" }),
      trial(3, { lr: 0.5, schedule: "cosine" }), // lr outside the new range
      trial(4, { lr: 1e-3, schedule: "step" }), // gamma missing
      trial(5, { lr: 1e-3, schedule: "cosine", gamma: 0.5 }), // gamma inactive
      trial(6, { lr: 1e-3, schedule: "cosine", momentum: 0.9 }), // not in the new space
      trial(8, { lr: 1e-3, schedule: "cosine" }, "failed"),
      trial(9, { lr: 1e-3, schedule: "cosine" }, "running"),
    ],
  };

  it("keeps the completed trials that fit the new space, numbered before the new study's", () => {
    const warm = warmStartHistory(previous, space);
    expect(warm.directions).toEqual(["minimize"]);
    expect(warm.trials.map((t) => [t.number, t.values?.[0]])).toEqual([
      [-2, 2],
      [-1, 7],
    ]);
  });

  it("lets TPE model the earlier trials instead of starting at random", () => {
    const many: StudyHistory = {
      directions: ["minimize"],
      trials: Array.from({ length: 12 }, (_, i) =>
        trial(i, { lr: 10 ** (-4 + (2 * i) / 11), schedule: "cosine" }),
      ),
    };
    const history = warmStartHistory(many, space);
    const tpe = new TpeSampler();
    const random = new RandomSampler();
    expect(tpe.ask(space, history, new Random(1))).not.toEqual(
      random.ask(space, history, new Random(1)),
    );
    expect(tpe.ask(space, { directions: ["minimize"], trials: [] }, new Random(1))).toEqual(
      random.ask(space, { directions: ["minimize"], trials: [] }, new Random(1)),
    );
  });
});
