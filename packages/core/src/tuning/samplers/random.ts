import { z } from "zod";
import type { Random } from "../../random.ts";
import { defaultStudyLimits } from "../limits.ts";
import {
  buildParams,
  type ParamSpec,
  paramsKey,
  type SearchSpace,
  sampleUniform,
} from "../space.ts";
import type { Params, StudyHistory } from "../types.ts";
import { enumerateGrid, gridSize } from "./grid.ts";
import { type Sampler, SamplerExhaustedError } from "./sampler.ts";

export const randomSettingsSchema = z.strictObject({});

/** Random draws tried for a configuration no trial holds before the space is listed. */
const FREE_DRAWS = 100;

/** Each active parameter drawn independently from its own distribution. */
export function randomParams(space: SearchSpace, random: Random): Params {
  return buildParams(space, (_, param) => sampleUniform(param, random));
}

/**
 * A random configuration whose key is not in `taken` (those of queued and running trials), so that
 * parallel trials differ. Drawn as randomParams draws; when draw after draw is taken, the space is
 * small and discrete, and one of its free configurations is chosen from a list of them.
 *
 * When every configuration of a finite space is taken it throws SamplerExhaustedError rather than
 * hand out a configuration that is already training (Optuna would): the controller then creates no
 * trial this round, and the next round, after a trial finishes, has a free one (see sampler.ts).
 */
export function freeRandomParams(
  space: SearchSpace,
  taken: ReadonlySet<string>,
  random: Random,
): Params {
  let params = randomParams(space, random);
  for (let draw = 1; draw < FREE_DRAWS && taken.has(paramsKey(params)); draw++) {
    params = randomParams(space, random);
  }
  if (!taken.has(paramsKey(params))) return params;
  const configurations = listConfigurations(space);
  // A space with a continuous parameter has a free configuration nearly every draw: this many
  // taken in a row is all but impossible, and the duplicate is handed out as Optuna would.
  if (configurations === undefined) return params;
  const free = configurations.filter((configuration) => !taken.has(paramsKey(configuration)));
  if (free.length === 0) {
    throw new SamplerExhaustedError(
      `every one of the ${configurations.length} configurations of the search space has a queued or running trial; the next trial is created when one finishes`,
    );
  }
  return random.choice(free);
}

/**
 * Every configuration of a space without continuous parameters, or undefined when it has one or
 * more configurations than a grid may have. A log-scale int takes each integer of its range.
 */
function listConfigurations(space: SearchSpace): Params[] | undefined {
  const continuous = Object.values(space).some(
    (param) => param.type === "float" && param.step === undefined,
  );
  if (continuous) return undefined;
  const stepped = Object.fromEntries(
    Object.entries(space).map(([name, param]): [string, ParamSpec] => [
      name,
      param.type === "int" && param.log === true ? { ...param, log: false } : param,
    ]),
  );
  const limit = defaultStudyLimits.gridPoints;
  if (gridSize(stepped, undefined, limit) > limit) return undefined;
  return enumerateGrid(stepped, undefined, defaultStudyLimits);
}

/** Random search: ignores the history; two trials differ because their generators differ. */
export class RandomSampler implements Sampler {
  readonly kind = "random";

  ask(space: SearchSpace, _history: StudyHistory, random: Random): Params {
    return randomParams(space, random);
  }
}
