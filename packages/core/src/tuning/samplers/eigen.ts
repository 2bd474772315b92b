// The eigendecomposition of a symmetric matrix by cyclic Jacobi rotations: simple, accurate and
// fast enough for the few dozen dimensions a search space has (CMA-ES decomposes its covariance
// once per generation).

/** Sweeps before giving up; Jacobi converges quadratically, a handful of sweeps is typical. */
const MAX_SWEEPS = 100;

export interface SymmetricEigen {
  /** Eigenvalues in ascending order (as numpy.linalg.eigh). */
  values: number[];
  /** vectors[i][k]: component i of the eigenvector of values[k] (eigenvectors are columns). */
  vectors: number[][];
}

/**
 * A = V diag(values) Vᵀ with V orthonormal, for a symmetric A (only its upper triangle is read).
 * Rotations zero one off-diagonal entry at a time (Numerical Recipes' stable form), sweep after
 * sweep, until the off-diagonal part is below rounding against the whole matrix.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): SymmetricEigen {
  const n = matrix.length;
  const a = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const value = matrix[Math.min(i, j)]?.[Math.max(i, j)];
      if (value === undefined || !Number.isFinite(value)) {
        throw new Error(
          `symmetricEigen needs a finite ${n}×${n} matrix, entry (${i}, ${j}) is ${value}`,
        );
      }
      return value;
    }),
  ) as number[][];
  const v = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  const total = a.reduce((sum, row) => sum + row.reduce((s, x) => s + x * x, 0), 0);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * (a[p]?.[q] ?? 0) ** 2;
    if (off <= Number.EPSILON ** 2 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) rotate(a, v, p, q);
    }
  }
  const order = Array.from({ length: n }, (_, k) => k).sort(
    (x, y) => (a[x]?.[x] as number) - (a[y]?.[y] as number),
  );
  return {
    values: order.map((k) => a[k]?.[k] as number),
    vectors: v.map((row) => order.map((k) => row[k] as number)),
  };
}

/** One Jacobi rotation in the (p, q) plane that zeroes a[p][q], accumulated into v. */
function rotate(a: number[][], v: number[][], p: number, q: number): void {
  const rowP = a[p] as number[];
  const rowQ = a[q] as number[];
  const apq = rowP[q] as number;
  if (apq === 0) return;
  const theta = ((rowQ[q] as number) - (rowP[p] as number)) / (2 * apq);
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  rowP[p] = (rowP[p] as number) - t * apq;
  rowQ[q] = (rowQ[q] as number) + t * apq;
  rowP[q] = 0;
  rowQ[p] = 0;
  for (let k = 0; k < a.length; k++) {
    if (k !== p && k !== q) {
      const row = a[k] as number[];
      const akp = row[p] as number;
      const akq = row[q] as number;
      row[p] = c * akp - s * akq;
      row[q] = s * akp + c * akq;
      rowP[k] = row[p];
      rowQ[k] = row[q];
    }
    const vk = v[k] as number[];
    const vkp = vk[p] as number;
    const vkq = vk[q] as number;
    vk[p] = c * vkp - s * vkq;
    vk[q] = s * vkp + c * vkq;
  }
}
