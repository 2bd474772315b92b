// CMA-ES's distribution and its update, as Hansen's tutorial (The CMA Evolution Strategy: A
// Tutorial, arXiv:1604.00772) and CyberAgent's cmaes library (cmaes/_cma.py, which Optuna's
// CmaEsSampler runs) define them: pure functions on the mean, step size, covariance and evolution
// paths. The sampler (./cmaes.ts) decides which trials make a generation.
import type { Random } from "../../random.ts";
import { symmetricEigen } from "./eigen.ts";

/** Floor for the covariance's eigenvalues and guard against division by zero (cmaes' _EPS). */
const EPS = 1e-8;
const SIGMA_MAX = 1e32;
// cmaes' termination tolerances.
const TOLX_OF_SIGMA0 = 1e-12;
const TOLXUP = 1e4;
const TOLFUN = 1e-12;
const TOL_CONDITION = 1e14;

/** The strategy parameters, fixed by the dimension and the population size. */
export interface CmaParameters {
  dimensions: number;
  /** λ: candidates per generation. */
  popsize: number;
  /** μ: the best candidates that move the mean. */
  mu: number;
  /** One per rank: positive for the best μ, negative (active CMA) for the rest. */
  weights: number[];
  muEff: number;
  cSigma: number;
  dSigma: number;
  cc: number;
  c1: number;
  cmu: number;
  /** E‖N(0, I)‖. */
  chiN: number;
  /** Generations whose best and worst values the flat-fitness stop compares. */
  funhistTerm: number;
}

export function defaultPopsize(dimensions: number): number {
  return 4 + Math.floor(3 * Math.log(dimensions));
}

/** The tutorial's default strategy parameters (its equations 48-56), as cmaes computes them. */
export function cmaParameters(
  dimensions: number,
  popsize = defaultPopsize(dimensions),
): CmaParameters {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new Error(`CMA-ES needs at least one dimension, got ${dimensions}`);
  }
  if (!Number.isInteger(popsize) || popsize < 2) {
    throw new Error(`CMA-ES needs a population of at least 2, got ${popsize}`);
  }
  const n = dimensions;
  const mu = Math.floor(popsize / 2);
  const raw = Array.from(
    { length: popsize },
    (_, i) => Math.log((popsize + 1) / 2) - Math.log(i + 1),
  );
  const effective = (w: number[]) => sum(w) ** 2 / sum(w.map((x) => x * x));
  const muEff = effective(raw.slice(0, mu));
  const muEffMinus = effective(raw.slice(mu));
  const alphaCov = 2;
  const c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(
    1 - c1 - 1e-8,
    (alphaCov * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + (alphaCov * muEff) / 2),
  );
  const minAlpha = Math.min(
    1 + c1 / cmu,
    1 + (2 * muEffMinus) / (muEff + 2),
    (1 - c1 - cmu) / (n * cmu),
  );
  const positiveSum = sum(raw.filter((w) => w > 0));
  const negativeSum = -sum(raw.filter((w) => w < 0));
  const weights = raw.map((w) => (w >= 0 ? w / positiveSum : (minAlpha * w) / negativeSum));
  const cSigma = (muEff + 2) / (n + muEff + 5);
  return {
    dimensions: n,
    popsize,
    mu,
    weights,
    muEff,
    cSigma,
    dSigma: 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma,
    cc: (4 + muEff / n) / (n + 4 + (2 * muEff) / n),
    c1,
    cmu,
    chiN: Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n)),
    funhistTerm: 10 + Math.ceil((30 * n) / popsize),
  };
}

export interface CmaState {
  mean: number[];
  sigma: number;
  /** The step size it started with, which scales the tolx stop. */
  sigma0: number;
  cov: number[][];
  /** B: the covariance's eigenvectors as columns; D: the square roots of its eigenvalues. */
  basis: number[][];
  scales: number[];
  pSigma: number[];
  pc: number[];
  /** Generations told so far. */
  generation: number;
  /** Best and worst value of each of the last funhistTerm generations. */
  recentValues: number[][];
}

/** A candidate and its value (minimised). */
export interface Solution {
  x: number[];
  value: number;
}

export function initialCmaState(mean: number[], sigma: number): CmaState {
  const n = mean.length;
  const zeros = () => new Array<number>(n).fill(0);
  return {
    mean: [...mean],
    sigma,
    sigma0: sigma,
    ...decompose(
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
    ),
    pSigma: zeros(),
    pc: zeros(),
    generation: 0,
    recentValues: [],
  };
}

/**
 * x = mean + σ B D z with z ~ N(0, I), redrawn until it lies in the unit cube, and clipped there
 * after `attempts` misses (cmaes' ask with bounds [0, 1]).
 */
export function sampleInUnitCube(state: CmaState, random: Random, attempts: number): number[] {
  const draw = () => {
    const z = state.scales.map((scale) => scale * random.normal());
    return state.mean.map((m, i) => m + state.sigma * dot(state.basis[i] as number[], z));
  };
  for (let attempt = 0; attempt < attempts; attempt++) {
    const x = draw();
    if (x.every((xi) => xi >= 0 && xi <= 1)) return x;
  }
  return draw().map((xi) => Math.min(1, Math.max(0, xi)));
}

/** The state after one generation of popsize solutions (cmaes' tell, without lr_adapt). */
export function tellCma(p: CmaParameters, s: CmaState, solutions: readonly Solution[]): CmaState {
  if (solutions.length !== p.popsize) {
    throw new Error(
      `CMA-ES updates on a whole generation of ${p.popsize} solutions, got ${solutions.length}`,
    );
  }
  const n = p.dimensions;
  const generation = s.generation + 1;
  const sorted = [...solutions].sort((a, b) => a.value - b.value);
  const best = (sorted[0] as Solution).value;
  const worst = (sorted.at(-1) as Solution).value;
  const recentValues = [...s.recentValues, [best, worst]].slice(-p.funhistTerm);

  const ys = sorted.map((solution) =>
    solution.x.map((x, i) => (x - (s.mean[i] as number)) / s.sigma),
  );
  const yw = weightedSum(ys.slice(0, p.mu), p.weights);
  const mean = s.mean.map((m, i) => m + s.sigma * (yw[i] as number));

  // C^(-1/2) = B D^(-1) Bᵀ, of the covariance the candidates were drawn from.
  const invSqrtC = fromEigen(
    s.basis,
    s.scales.map((d) => 1 / d),
  );
  const whitened = matVec(invSqrtC, yw);
  const pathScale = Math.sqrt(p.cSigma * (2 - p.cSigma) * p.muEff);
  const pSigma = s.pSigma.map((v, i) => (1 - p.cSigma) * v + pathScale * (whitened[i] as number));
  const pSigmaNorm = Math.sqrt(dot(pSigma, pSigma));
  const sigma = Math.min(
    s.sigma * Math.exp((p.cSigma / p.dSigma) * (pSigmaNorm / p.chiN - 1)),
    SIGMA_MAX,
  );

  // Stall the rank-one path while pσ is long; cmaes counts generations from 1 here, so (g + 1).
  const hSigmaLeft = pSigmaNorm / Math.sqrt(1 - (1 - p.cSigma) ** (2 * (generation + 1)));
  const hSigma = hSigmaLeft < (1.4 + 2 / (n + 1)) * p.chiN ? 1 : 0;
  const pcScale = hSigma * Math.sqrt(p.cc * (2 - p.cc) * p.muEff);
  const pc = s.pc.map((v, i) => (1 - p.cc) * v + pcScale * (yw[i] as number));

  // Negative weights act on whitened lengths, so a bad candidate far out cannot shrink C to nothing.
  const weightsIo = p.weights.map((w, k) => {
    if (w >= 0) return w;
    const white = matVec(invSqrtC, ys[k] as number[]);
    return (w * n) / (dot(white, white) + EPS);
  });
  const deltaHSigma = (1 - hSigma) * p.cc * (2 - p.cc);
  const decay = 1 + p.c1 * deltaHSigma - p.c1 - p.cmu * sum(p.weights);
  const cov = s.cov.map((row, i) =>
    row.map((c, j) => decay * c + p.c1 * (pc[i] as number) * (pc[j] as number)),
  );
  ys.forEach((y, k) => {
    const w = p.cmu * (weightsIo[k] as number);
    cov.forEach((row, i) => {
      const wyi = w * (y[i] as number);
      for (let j = 0; j < n; j++) row[j] = (row[j] as number) + wyi * (y[j] as number);
    });
  });
  return { ...decompose(cov), mean, sigma, sigma0: s.sigma0, pSigma, pc, generation, recentValues };
}

/**
 * cmaes' termination criteria, checked after a generation: flat values (tolfun), a tiny
 * distribution (tolx), divergence (tolxup), no effect of a coordinate or of a principal axis on the
 * mean, and an ill-conditioned covariance. Their tolx test compares σ·C_ii and σ·pc (signed, not
 * their magnitudes) with tolx; it is kept as it is, so restarts happen when cmaes' would.
 */
export function shouldStopCma(p: CmaParameters, s: CmaState): boolean {
  const values = s.recentValues.flat();
  if (s.generation > p.funhistTerm && Math.max(...values) - Math.min(...values) < TOLFUN)
    return true;

  const diagonal = s.cov.map((row, i) => row[i] as number);
  const tolx = TOLX_OF_SIGMA0 * s.sigma0;
  if (diagonal.every((c) => s.sigma * c < tolx) && s.pc.every((v) => s.sigma * v < tolx))
    return true;

  if (s.sigma * Math.max(...s.scales) > TOLXUP) return true;

  const unmoved = (step: (i: number) => number) => (m: number, i: number) => m === m + step(i);
  if (s.mean.some(unmoved((i) => 0.2 * s.sigma * Math.sqrt(diagonal[i] as number)))) return true;

  const axis = s.generation % p.dimensions;
  const axisStep = 0.1 * s.sigma * (s.scales[axis] as number);
  if (s.mean.every(unmoved((i) => axisStep * ((s.basis[i] as number[])[axis] as number))))
    return true;

  return Math.max(...s.scales) / Math.min(...s.scales) > TOL_CONDITION;
}

/**
 * B and D of a covariance, and the covariance rebuilt from them with negative eigenvalues raised
 * to EPS, as cmaes does before it samples.
 */
function decompose(cov: number[][]): Pick<CmaState, "cov" | "basis" | "scales"> {
  const symmetric = cov.map((row, i) =>
    row.map((c, j) => (c + ((cov[j] as number[])[i] as number)) / 2),
  );
  const { values, vectors } = symmetricEigen(symmetric);
  const squares = values.map((value) => (value < 0 ? EPS : value));
  return { cov: fromEigen(vectors, squares), basis: vectors, scales: squares.map(Math.sqrt) };
}

/** B diag(values) Bᵀ. */
function fromEigen(basis: number[][], values: number[]): number[][] {
  const n = values.length;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const bi = basis[i] as number[];
    const row = out[i] as number[];
    for (let j = i; j < n; j++) {
      const bj = basis[j] as number[];
      let acc = 0;
      for (let k = 0; k < n; k++)
        acc += (values[k] as number) * (bi[k] as number) * (bj[k] as number);
      row[j] = acc;
      (out[j] as number[])[i] = acc;
    }
  }
  return out;
}

function sum(values: number[]): number {
  return values.reduce((acc, x) => acc + x, 0);
}

function dot(a: number[], b: number[]): number {
  return a.reduce((acc, x, i) => acc + x * (b[i] as number), 0);
}

function matVec(matrix: number[][], vector: number[]): number[] {
  return matrix.map((row) => dot(row, vector));
}

function weightedSum(vectors: number[][], weights: number[]): number[] {
  const out = new Array<number>(vectors[0]?.length ?? 0).fill(0);
  vectors.forEach((vector, k) => {
    vector.forEach((x, i) => {
      out[i] = (out[i] as number) + (weights[k] as number) * x;
    });
  });
  return out;
}
