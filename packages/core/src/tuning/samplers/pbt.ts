import type { Random } from "../../random.ts";
import type { PbtReplaySettings } from "../pbt/settings.ts";
import type { SearchSpace } from "../space.ts";
import type { Params, StudyHistory } from "../types.ts";
import { randomParams } from "./random.ts";
import type { Sampler } from "./sampler.ts";

/**
 * PBT's initial population: each member's parameters drawn at random, as the paper's and Ray
 * Tune's are. What follows (exploit and explore at each round) is the study control's, through
 * ../pbt/rounds.ts.
 */
export class PbtSampler implements Sampler {
  readonly kind = "pbt";

  ask(space: SearchSpace, _history: StudyHistory, random: Random): Params {
    return randomParams(space, random);
  }
}

/** A replayed PBT schedule: every trial starts with its step-0 parameters. */
export class PbtReplaySampler implements Sampler {
  readonly kind = "pbt-replay";

  constructor(private readonly settings: PbtReplaySettings) {}

  ask(): Params {
    return { ...this.settings.schedule[0]?.params };
  }
}
