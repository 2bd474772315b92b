import { z } from "zod";
import { Random } from "../../random.ts";
import type { SearchSpace } from "../space.ts";
import type { Direction, Params, StudyHistory } from "../types.ts";

/**
 * A sampler proposes the parameters of the next trial from the study's history alone, as Optuna's
 * samplers do: it keeps no state of its own, so any number of runners can share a study, a study
 * can be resumed or extended after it finished (the history just holds more trials), and warm
 * start is only a longer history (see ../warm-start.ts).
 *
 * The history must hold every trial handed out before, queued and running ones included: that is
 * how the grid and TPE's constant liar avoid handing the same point to two runners.
 */
export interface Sampler {
  readonly kind: string;
  /**
   * Throws SamplerExhaustedError when no configuration is left to hand out: a finished grid, or a
   * finite space whose every configuration a queued or running trial holds (TPE and BOHB).
   */
  ask(space: SearchSpace, history: StudyHistory, random: Random): Params;
}

/**
 * Thrown by ask when no configuration is left to hand out. The controller then creates no trial that
 * round and completes the study once none is queued or running: a finished grid ends it, while a
 * space whose configurations are all training frees one as soon as a trial finishes.
 */
export class SamplerExhaustedError extends Error {
  override readonly name = "SamplerExhaustedError";
}

/**
 * The generator for one trial's ask, from the study seed and the trial number, so a trial's
 * parameters do not depend on which runner asked first.
 */
export function randomForTrial(seed: number, trialNumber: number): Random {
  return new Random((seed ^ Math.imul(trialNumber + 1, 0x9e3779b9)) >>> 0);
}

/** A sampler's settings with their defaults, or an error naming the sampler and each problem. */
export function parseSettings<Schema extends z.ZodType>(
  kind: string,
  schema: Schema,
  options: unknown,
): z.output<Schema> {
  const result = schema.safeParse(options);
  if (!result.success) {
    throw new Error(`${kind} sampler settings: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** +1 to minimise, -1 to maximise the study's one objective; an error naming the sampler if several. */
export function singleObjectiveSign(kind: string, directions: Direction[]): number {
  const [direction, ...rest] = directions;
  if (direction === undefined || rest.length > 0) {
    throw new Error(
      `${kind} sampler optimises one objective, the study has ${directions.length}; use nsga2 for several`,
    );
  }
  return direction === "minimize" ? 1 : -1;
}
