import { z } from "zod";
import { Random } from "../../random.ts";
import { buildParams, fromUnit, type SearchSpace, topologicalOrder } from "../space.ts";
import type { Params, StudyHistory } from "../types.ts";
import { parseSettings, type Sampler } from "./sampler.ts";
import { SOBOL_DIRECTIONS } from "./sobol-directions.ts";

export const sobolSettingsSchema = z.strictObject({
  scramble: z
    .boolean()
    .default(true)
    .describe(
      "Randomise the sequence from the study's seed (linear matrix scramble and digital shift, as SciPy's default); false: the plain sequence, without its first point (every parameter's low end).",
    )
    .meta({ label: "Scramble" }),
});
export type SobolOptions = z.input<typeof sobolSettingsSchema>;

const BITS = 32;
export const SOBOL_MAX_DIMENSIONS = SOBOL_DIRECTIONS.length + 1;

/**
 * Sobol's quasi-random sequence (Joe & Kuo direction numbers): points spread evenly over the space,
 * one dimension per parameter in parent-first order (an inactive parameter leaves its coordinate
 * unused). The point index is the number of trials in the history, so the sampler needs no state
 * and distinct trials get distinct points.
 *
 * The plain sequence starts at the origin, the low corner of every parameter; it is skipped
 * (index + 1). The scrambled sequence has no such point and starts at index 0, keeping the balance
 * of each 2^k block of points.
 */
export class SobolSampler implements Sampler {
  readonly kind = "sobol";
  /** Direction numbers per dimension, scrambled once from the seed. */
  private readonly directions: Uint32Array[];
  /** XORed into every point of a dimension (the digital shift); zero when plain. */
  private readonly shifts: Uint32Array;
  private readonly skip: number;

  constructor(options: SobolOptions = {}, seed = 0) {
    const settings = parseSettings("sobol", sobolSettingsSchema, options);
    const random = new Random(seed);
    this.directions = Array.from({ length: SOBOL_MAX_DIMENSIONS }, (_, dimension) => {
      const plain = directionNumbers(dimension);
      return settings.scramble ? scramble(plain, random) : plain;
    });
    this.shifts = Uint32Array.from(this.directions, () =>
      settings.scramble ? random.nextUint32() : 0,
    );
    this.skip = settings.scramble ? 0 : 1;
  }

  /** Coordinates of point `index` of the sequence in [0, 1)^dimensions (Gray-code order). */
  point(index: number, dimensions: number): number[] {
    if (dimensions > SOBOL_MAX_DIMENSIONS) {
      throw new Error(
        `sobol sampler supports up to ${SOBOL_MAX_DIMENSIONS} parameters, the space has ${dimensions}`,
      );
    }
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** BITS) {
      throw new Error(`sobol point index must be an integer in [0, 2^32), got ${index}`);
    }
    const gray = (index ^ (index >>> 1)) >>> 0;
    return Array.from({ length: dimensions }, (_, dimension) => {
      const directions = this.directions[dimension] as Uint32Array;
      let x = this.shifts[dimension] as number;
      for (let bits = gray, bit = 0; bits !== 0; bits >>>= 1, bit++) {
        if (bits & 1) x ^= directions[bit] as number;
      }
      return (x >>> 0) / 2 ** BITS;
    });
  }

  ask(space: SearchSpace, history: StudyHistory): Params {
    const order = topologicalOrder(space);
    const point = this.point(history.trials.length + this.skip, order.length);
    return buildParams(space, (name, param) => fromUnit(param, point[order.indexOf(name)] ?? 0));
  }
}

/** v_j = m_j · 2^(32 - j - 1), with m_j from the recurrence of the dimension's polynomial. */
function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dimension === 0) {
    for (let j = 0; j < BITS; j++) v[j] = 2 ** (BITS - 1 - j);
    return v;
  }
  const [polynomial = 1, ...initial] = SOBOL_DIRECTIONS[dimension - 1] ?? [];
  const degree = initial.length;
  const m = new Array<number>(BITS);
  for (let j = 0; j < BITS; j++) {
    if (j < degree) {
      m[j] = initial[j] as number;
      continue;
    }
    // Bratley & Fox: m_j = m_{j-s} ^ 2^s m_{j-s} ^ XOR over the polynomial's middle coefficients.
    let next = (m[j - degree] as number) ^ ((m[j - degree] as number) * 2 ** degree);
    for (let k = 1; k < degree; k++) {
      if ((polynomial >> (degree - k)) & 1) next ^= (m[j - k] as number) * 2 ** k;
    }
    m[j] = next >>> 0;
  }
  for (let j = 0; j < BITS; j++) v[j] = ((m[j] as number) * 2 ** (BITS - 1 - j)) >>> 0;
  return v;
}

/**
 * Linear matrix scramble: multiplies the direction numbers by a random lower-triangular bit
 * matrix with a unit diagonal, which keeps the sequence a (t, s)-sequence.
 */
function scramble(directions: Uint32Array, random: Random): Uint32Array {
  // Row p maps output bit p (from the most significant) to the input bits 0..p it mixes.
  const rows = Array.from({ length: BITS }, (_, p) => {
    const diagonal = 2 ** (BITS - 1 - p);
    const above = 0xffffffff - (2 * diagonal - 1);
    return ((random.nextUint32() & above) | diagonal) >>> 0;
  });
  return directions.map((v) => {
    let out = 0;
    for (let p = 0; p < BITS; p++) {
      if (parity(((rows[p] as number) & v) >>> 0)) out = (out | (2 ** (BITS - 1 - p))) >>> 0;
    }
    return out;
  });
}

function parity(x: number): number {
  let y = x ^ (x >>> 16);
  y ^= y >>> 8;
  y ^= y >>> 4;
  y ^= y >>> 2;
  y ^= y >>> 1;
  return y & 1;
}
