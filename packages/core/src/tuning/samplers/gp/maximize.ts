// Maximising the acquisition function over a mixed space, as Optuna's optuna/_gp/optim_mixed.py:
// many random candidates, then local searches from the best of them, from a few more picked by
// roulette, and from the best trial so far. A local search alternates L-BFGS over the continuous
// coordinates (scaled by the length scales, so every direction looks alike to it) with a search
// over each discrete coordinate's values, until a round changes nothing.
import type { Random } from "../../../random.ts";
import type { Acquisition } from "./acquisition.ts";
import type { Dimension } from "./encoding.ts";
import { minimizeBox } from "./lbfgsb.ts";

export interface AcquisitionDomain {
  dimensions: readonly Pick<Dimension, "kind" | "choices">[];
  /** The point x stands for (values rounded, inactive coordinates fixed) and its active ones. */
  canonical(x: readonly number[]): { x: number[]; active: boolean[] };
}

export interface MaximizeOptions {
  /** Random points the acquisition is evaluated at first. */
  candidates: number;
  /** Local searches in all, warm starts included. */
  localSearches: number;
  /** Points to search from besides the candidates: the best trial so far. */
  warmStarts: readonly number[][];
  random: Random;
}

/** Discrete coordinates with at most this many values are searched exhaustively (Optuna's). */
const EXHAUSTIVE_CHOICES = 16;
const MAX_ROUNDS = 100;
/** Optuna's tol: L-BFGS stops at a projected gradient of √tol. */
const TOLERANCE = 1e-4;

interface Found {
  x: number[];
  active: boolean[];
  value: number;
}

export function maximizeAcquisition(
  acquisition: Acquisition,
  domain: AcquisitionDomain,
  options: MaximizeOptions,
): number[] {
  const { random } = options;
  const candidates = Array.from(
    { length: options.candidates },
    () => domain.canonical(domain.dimensions.map(() => random.next())).x,
  );
  const values = candidates.map((x) => acquisition.value(x));
  const starts = chooseStarts(values, options.localSearches - options.warmStarts.length, random);
  let best: Found | undefined;
  for (const start of [...starts.map((i) => candidates[i] as number[]), ...options.warmStarts]) {
    const found = localSearch(acquisition, domain, start);
    if (best === undefined || found.value > best.value) best = found;
  }
  return (best as Found).x;
}

/**
 * The best candidate, and up to count − 1 others drawn without replacement with weights
 * exp(value − best value): promising ones, but not all from one basin.
 */
function chooseStarts(values: readonly number[], count: number, random: Random): number[] {
  let bestIndex = 0;
  values.forEach((value, i) => {
    if (value > (values[bestIndex] as number)) bestIndex = i;
  });
  const top = values[bestIndex] as number;
  const weights = values.map((value, i) => (i === bestIndex ? 0 : Math.exp(value - top)));
  const chosen = [bestIndex];
  while (chosen.length < count) {
    const total = weights.reduce((sum, w) => sum + w, 0);
    if (!(total > 0)) break;
    let target = random.next() * total;
    let pick = weights.findIndex((w) => {
      target -= w;
      return target < 0 && w > 0;
    });
    if (pick < 0) pick = weights.findLastIndex((w) => w > 0);
    chosen.push(pick);
    weights[pick] = 0;
  }
  return chosen;
}

function localSearch(
  acquisition: Acquisition,
  domain: AcquisitionDomain,
  start: readonly number[],
): Found {
  const at = (x: readonly number[]): Found => {
    const point = domain.canonical(x);
    return { ...point, value: acquisition.value(point.x) };
  };
  let current = at(start);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let improved = false;
    const moved = continuousStep(acquisition, domain, current);
    if (moved !== undefined) {
      const next = at(moved);
      if (next.value > current.value) {
        current = next;
        improved = true;
      }
    }
    domain.dimensions.forEach((dimension, d) => {
      if (dimension.kind === "continuous" || !current.active[d]) return;
      const next = searchChoices(
        dimension.choices,
        dimension.kind === "categorical",
        current,
        d,
        at,
      );
      if (next.value > current.value) {
        current = next;
        improved = true;
      }
    });
    if (!improved) break;
  }
  return current;
}

/** L-BFGS over the active continuous coordinates, in units of their length scales. */
function continuousStep(
  acquisition: Acquisition,
  domain: AcquisitionDomain,
  from: Found,
): number[] | undefined {
  const free = domain.dimensions.flatMap((dimension, d) =>
    dimension.kind === "continuous" && from.active[d] ? [d] : [],
  );
  if (free.length === 0) return undefined;
  const scales = free.map((d) => acquisition.lengthScales[d] as number);
  const point = (z: readonly number[]) => {
    const x = [...from.x];
    free.forEach((d, i) => {
      x[d] = (z[i] as number) * (scales[i] as number);
    });
    return x;
  };
  const result = minimizeBox(
    (z) => {
      const { value, gradient } = acquisition.valueAndGradient(point(z));
      return {
        value: -value,
        gradient: free.map((d, i) => -(gradient[d] as number) * (scales[i] as number)),
      };
    },
    free.map((d, i) => (from.x[d] as number) / (scales[i] as number)),
    {
      lower: free.map(() => 0),
      upper: scales.map((scale) => 1 / scale),
      gradientTolerance: Math.sqrt(TOLERANCE),
    },
  );
  return result.iterations > 0 ? point(result.x) : undefined;
}

/**
 * The best value of coordinate d, the others held: every value when there are few (or they are
 * unordered choices), else a coarse pass over the values and a refinement around the best.
 */
function searchChoices(
  choices: readonly number[],
  unordered: boolean,
  from: Found,
  d: number,
  at: (x: readonly number[]) => Found,
): Found {
  const tried = new Map<number, Found>();
  const current = nearestIndex(choices, from.x[d] as number);
  tried.set(current, from);
  const tryIndex = (i: number) => {
    if (i < 0 || i >= choices.length || tried.has(i)) return;
    const x = [...from.x];
    x[d] = choices[i] as number;
    tried.set(i, at(x));
  };
  const bestIndex = () => {
    let best = current;
    for (const [i, found] of tried) if (found.value > (tried.get(best) as Found).value) best = i;
    return best;
  };
  if (unordered || choices.length <= EXHAUSTIVE_CHOICES) {
    for (let i = 0; i < choices.length; i++) tryIndex(i);
    return tried.get(bestIndex()) as Found;
  }
  let stride = Math.ceil(choices.length / EXHAUSTIVE_CHOICES);
  for (let i = 0; i < choices.length; i += stride) tryIndex(i);
  while (stride > 1) {
    stride = Math.ceil(stride / 2);
    const centre = bestIndex();
    tryIndex(centre - stride);
    tryIndex(centre + stride);
  }
  return tried.get(bestIndex()) as Found;
}

function nearestIndex(sorted: readonly number[], value: number): number {
  let nearest = 0;
  sorted.forEach((choice, i) => {
    if (Math.abs(choice - value) < Math.abs((sorted[nearest] as number) - value)) nearest = i;
  });
  return nearest;
}
