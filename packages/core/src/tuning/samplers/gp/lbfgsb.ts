// Quasi-Newton minimisation inside a box, for the Gaussian process's hyperparameters (no bounds)
// and its acquisition function (the unit cube). A projected L-BFGS: the limited-memory inverse
// Hessian acts on the variables not held at a bound, and a backtracking line search follows the
// projection of the step onto the box (Kim, Sra & Dhillon 2010, "Tackling box-constrained
// optimization via a new projected quasi-Newton approach"). It stands in for SciPy's L-BFGS-B,
// which Optuna calls, with the same stopping rules: projected gradient or relative decrease.

export interface ValueAndGradient {
  value: number;
  gradient: ArrayLike<number>;
}

export interface BoxMinimizeOptions {
  /** Per-variable bounds; absent or ±Infinity where a variable is free. */
  lower?: readonly number[];
  upper?: readonly number[];
  /** Correction pairs kept (SciPy's m). */
  memory?: number;
  /** Stop when every component of the projected gradient is this small (SciPy's pgtol). */
  gradientTolerance?: number;
  /** Stop when an iteration lowers the value by less than this, relatively (SciPy's factr·eps). */
  relativeTolerance?: number;
  maxIterations?: number;
}

export interface BoxMinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  /** A stopping rule held; false when the iterations ran out or no step lowered the value. */
  converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 30;

/**
 * A local minimum of f within [lower, upper] from x0 (moved into the box first). f may return a
 * non-finite value where it is undefined (a matrix that is not positive definite): the line search
 * then steps back.
 */
export function minimizeBox(
  f: (x: number[]) => ValueAndGradient,
  x0: readonly number[],
  options: BoxMinimizeOptions = {},
): BoxMinimizeResult {
  const n = x0.length;
  const lower = options.lower ?? new Array<number>(n).fill(Number.NEGATIVE_INFINITY);
  const upper = options.upper ?? new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const memory = options.memory ?? 10;
  const gradientTolerance = options.gradientTolerance ?? 1e-5;
  const relativeTolerance = options.relativeTolerance ?? 1e7 * Number.EPSILON;
  const maxIterations = options.maxIterations ?? 200;
  const project = (x: number[]) =>
    x.map((value, i) => Math.min(upper[i] as number, Math.max(lower[i] as number, value)));

  let x = project([...x0]);
  let { value, gradient } = evaluate(f, x);
  if (!Number.isFinite(value)) return { x, value, iterations: 0, converged: false };
  const pairs: CorrectionPair[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (projectedGradientNorm(x, gradient, lower, upper) <= gradientTolerance) {
      return { x, value, iterations: iteration, converged: true };
    }
    // Variables at a bound whose gradient pushes them out stay there this iteration.
    const free = x.map(
      (xi, i) =>
        !(xi <= (lower[i] as number) && (gradient[i] as number) > 0) &&
        !(xi >= (upper[i] as number) && (gradient[i] as number) < 0),
    );
    let direction = twoLoopDirection(gradient, pairs, free);
    let slope = dotMasked(direction, gradient, free);
    if (!(slope < 0)) {
      pairs.length = 0;
      direction = twoLoopDirection(gradient, pairs, free);
      slope = dotMasked(direction, gradient, free);
    }
    // Without curvature yet, the first step is scaled to move the largest component by at most 1.
    let step = pairs.length === 0 ? Math.min(1, 1 / maxAbs(direction)) : 1;
    let accepted: { x: number[]; value: number; gradient: Float64Array } | undefined;
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack++) {
      const trial = project(x.map((xi, i) => xi + step * (direction[i] as number)));
      const decrease = trial.reduce(
        (sum, ti, i) => sum + (gradient[i] as number) * (ti - (x[i] as number)),
        0,
      );
      const result = evaluate(f, trial);
      if (Number.isFinite(result.value) && result.value <= value + ARMIJO * decrease) {
        accepted = { x: trial, ...result };
        break;
      }
      step *= 0.5;
    }
    if (accepted === undefined) return { x, value, iterations: iteration, converged: false };
    const s = Float64Array.from(accepted.x, (xi, i) => xi - (x[i] as number));
    const y = Float64Array.from(accepted.gradient, (gi, i) => gi - (gradient[i] as number));
    const curvature = dotMasked(s, y);
    if (curvature > 1e-10 * dotMasked(y, y)) {
      pairs.push({ s, y, rho: 1 / curvature });
      if (pairs.length > memory) pairs.shift();
    }
    const previous = value;
    ({ x, value, gradient } = accepted);
    if (
      (previous - value) / Math.max(Math.abs(previous), Math.abs(value), 1) <=
      relativeTolerance
    ) {
      return { x, value, iterations: iteration + 1, converged: true };
    }
  }
  return { x, value, iterations: maxIterations, converged: false };
}

interface CorrectionPair {
  s: Float64Array;
  y: Float64Array;
  rho: number;
}

function evaluate(
  f: (x: number[]) => ValueAndGradient,
  x: number[],
): { value: number; gradient: Float64Array } {
  const { value, gradient } = f(x);
  return { value, gradient: Float64Array.from(gradient) };
}

/** −H g over the free variables, H the L-BFGS inverse Hessian (Nocedal & Wright, Alg. 7.4). */
function twoLoopDirection(
  gradient: Float64Array,
  pairs: CorrectionPair[],
  free: boolean[],
): Float64Array {
  const q = gradient.map((gi, i) => (free[i] ? gi : 0));
  const alphas: number[] = [];
  for (let k = pairs.length - 1; k >= 0; k--) {
    const { s, y, rho } = pairs[k] as CorrectionPair;
    const alpha = rho * dotMasked(s, q, free);
    alphas[k] = alpha;
    for (let i = 0; i < q.length; i++)
      if (free[i]) q[i] = (q[i] as number) - alpha * (y[i] as number);
  }
  const last = pairs.at(-1);
  const gamma = last === undefined ? 1 : 1 / (last.rho * dotMasked(last.y, last.y));
  for (let i = 0; i < q.length; i++) q[i] = gamma * (q[i] as number);
  for (let k = 0; k < pairs.length; k++) {
    const { s, y, rho } = pairs[k] as CorrectionPair;
    const beta = rho * dotMasked(y, q, free);
    const alpha = alphas[k] as number;
    for (let i = 0; i < q.length; i++)
      if (free[i]) q[i] = (q[i] as number) + (alpha - beta) * (s[i] as number);
  }
  return q.map((qi) => -qi);
}

function dotMasked(a: ArrayLike<number>, b: ArrayLike<number>, mask?: boolean[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    if (mask === undefined || mask[i]) sum += (a[i] as number) * (b[i] as number);
  }
  return sum;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i] as number));
  return max === 0 ? 1 : max;
}

/** The largest component of P(x − g) − x, zero exactly at a stationary point of the box problem. */
function projectedGradientNorm(
  x: number[],
  gradient: Float64Array,
  lower: readonly number[],
  upper: readonly number[],
): number {
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    const moved = Math.min(
      upper[i] as number,
      Math.max(lower[i] as number, (x[i] as number) - (gradient[i] as number)),
    );
    norm = Math.max(norm, Math.abs(moved - (x[i] as number)));
  }
  return norm;
}
