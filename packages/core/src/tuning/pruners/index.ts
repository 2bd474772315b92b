import type { PrunerSpec } from "../pruner-spec.ts";
import { AshaPruner } from "./asha.ts";
import { HyperbandPruner } from "./hyperband.ts";
import { MedianPruner } from "./median.ts";
import { MultiObjectivePruner } from "./multi-objective.ts";
import { CONTINUE, type Pruner } from "./pruner.ts";
import { ThresholdPruner } from "./threshold.ts";

export type { PruneDecision, Pruner } from "./pruner.ts";

const neverPrune: Pruner = { decide: () => CONTINUE, promotions: () => [] };

/** The pruner a study spec asks for. */
export function createPruner(spec: PrunerSpec): Pruner {
  switch (spec.kind) {
    case "none":
      return neverPrune;
    case "median":
      return new MedianPruner(spec);
    case "multi-objective":
      return new MultiObjectivePruner(spec);
    case "asha":
      return new AshaPruner(spec);
    case "hyperband":
      return new HyperbandPruner(spec);
    case "threshold":
      return new ThresholdPruner(spec);
  }
}
