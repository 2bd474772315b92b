import { z } from "zod";
import type { Random } from "../../random.ts";
import { buildParams, type SearchSpace, sampleUniform } from "../space.ts";
import type { Params, StudyHistory } from "../types.ts";
import type { Sampler } from "./sampler.ts";

export const randomSettingsSchema = z.strictObject({});

/** Each active parameter drawn independently from its own distribution. */
export function randomParams(space: SearchSpace, random: Random): Params {
  return buildParams(space, (_, param) => sampleUniform(param, random));
}

/** Random search: ignores the history; two trials differ because their generators differ. */
export class RandomSampler implements Sampler {
  readonly kind = "random";

  ask(space: SearchSpace, _history: StudyHistory, random: Random): Params {
    return randomParams(space, random);
  }
}
