// The little dense linear algebra a Gaussian process needs: Cholesky factors of symmetric positive
// definite matrices and the triangular solves that use them. Matrices are row-major Float64Arrays
// of n×n entries; a GP of a few hundred trials needs nothing faster.

/** Thrown when a matrix meant to be positive definite is not (numerically). */
export class NotPositiveDefiniteError extends Error {
  override readonly name = "NotPositiveDefiniteError";
}

/** The lower-triangular L with L Lᵀ = A, for a symmetric positive definite A (row-major, n×n). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (!(sum > 0)) {
          throw new NotPositiveDefiniteError(
            `matrix is not positive definite: pivot ${i} of ${n} is ${sum}`,
          );
        }
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / (l[j * n + j] as number);
      }
    }
  }
  return l;
}

/** y with L y = b, for lower-triangular L (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = sum / (l[i * n + i] as number);
  }
  return y;
}

/** x with Lᵀ x = y, for lower-triangular L (back substitution on the transpose). */
export function solveLowerTransposed(
  l: Float64Array,
  n: number,
  y: ArrayLike<number>,
): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/** x with A x = b, where A = L Lᵀ. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveLowerTransposed(l, n, solveLower(l, n, b));
}

/** A⁻¹ where A = L Lᵀ: L⁻¹ by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹ (n³/3 products). */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const lowerInverse = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    lowerInverse[j * n + j] = 1 / (l[j * n + j] as number);
    for (let i = j + 1; i < n; i++) {
      let sum = 0;
      for (let k = j; k < i; k++)
        sum += (l[i * n + k] as number) * (lowerInverse[k * n + j] as number);
      lowerInverse[i * n + j] = -sum / (l[i * n + i] as number);
    }
  }
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) {
        sum += (lowerInverse[k * n + i] as number) * (lowerInverse[k * n + j] as number);
      }
      inverse[i * n + j] = sum;
      inverse[j * n + i] = sum;
    }
  }
  return inverse;
}

/** log det A where A = L Lᵀ: twice the sum of the logs of L's diagonal. */
export function choleskyLogDeterminant(l: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(l[i * n + i] as number);
  return 2 * sum;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}
