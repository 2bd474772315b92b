import { describe, expect, it } from "vitest";
import { type PrunerSpecInput, prunerSpecSchema } from "../../../src/tuning/pruner-spec.ts";
import { AshaPruner } from "../../../src/tuning/pruners/asha.ts";
import { HyperbandPruner } from "../../../src/tuning/pruners/hyperband.ts";
import { createPruner } from "../../../src/tuning/pruners/index.ts";
import { MedianPruner } from "../../../src/tuning/pruners/median.ts";
import { ThresholdPruner } from "../../../src/tuning/pruners/threshold.ts";
import { curve, study } from "./history.ts";

const create = (input: PrunerSpecInput) => createPruner(prunerSpecSchema.parse(input));

describe("createPruner", () => {
  it("builds each pruner from its spec settings", () => {
    expect(create({ kind: "median" })).toBeInstanceOf(MedianPruner);
    expect(create({ kind: "hyperband", minResource: 1, maxResource: 27 })).toBeInstanceOf(
      HyperbandPruner,
    );
    expect(create({ kind: "threshold", upper: 10 })).toBeInstanceOf(ThresholdPruner);
    const asha = create({ kind: "asha", minResource: 1, maxResource: 27 });
    expect(asha).toBeInstanceOf(AshaPruner);
    expect((asha as AshaPruner).rungs).toEqual([1, 3, 9]);
  });

  it("passes the settings through: ASHA pauses by default, the threshold uses its bound", () => {
    const asha = create({ kind: "asha", minResource: 1, maxResource: 27 });
    const history = study([curve(0, "completed", [0.1])]);
    expect(asha.decide(curve(1, "running", [0.5]), history).action).toBe("pause");
    expect(
      create({ kind: "threshold", upper: 10 }).decide(curve(0, "running", [11]), study([])).action,
    ).toBe("prune");
  });

  it("never prunes with kind none", () => {
    const none = create({ kind: "none" });
    expect(none.decide(curve(0, "running", [Number.NaN]), study([])).action).toBe("continue");
    expect(none.promotions(study([]))).toEqual([]);
  });
});
