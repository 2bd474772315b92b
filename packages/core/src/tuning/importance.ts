// Parameter importance by PED-ANOVA (Watanabe, Bansal and Hutter 2023, "PED-ANOVA: Efficiently
// Quantifying Hyperparameter Importance in Arbitrary Subspaces"), chosen over fANOVA because it
// needs no surrogate model: a parameter matters as much as the distribution of its values among the
// best trials differs from its distribution among all trials. The difference is the Pearson
// divergence ∫ (p_top(x) / p_all(x) - 1)² p_all(x) dx, computed per parameter in the space's unit
// interval (so log scales are handled as the samplers see them), and normalised to sum to 1.

import { contains, type ParamSpec, type SearchSpace, toUnit, unitBins } from "./space.ts";
import type { StudyHistory, TrialRecord } from "./types.ts";

export interface ImportanceOptions {
  /** The share of best trials compared with all: PED-ANOVA's γ. */
  topFraction?: number;
  /** Which objective, for a multi-objective study. */
  objective?: number;
}

/** Cells of the unit interval on which continuous densities are compared. */
const GRID = 50;

/**
 * Importance per parameter (fixed parameters left out), summing to 1. A conditional parameter is
 * judged on the trials where it is active, with its own best share of them: how much it matters
 * when it exists. Its parent's importance already counts whether it exists.
 */
export function parameterImportance(
  space: SearchSpace,
  history: StudyHistory,
  options: ImportanceOptions = {},
): Record<string, number> {
  const { topFraction = 0.1, objective = 0 } = options;
  const direction = history.directions[objective];
  if (direction === undefined) {
    throw new Error(
      `objective ${objective} is not one of the study's ${history.directions.length}`,
    );
  }
  const score = (trial: TrialRecord) => trial.values?.[objective] ?? Number.NaN;
  const ranked = history.trials
    .filter((trial) => trial.state === "completed" && Number.isFinite(score(trial)))
    .sort((a, b) => (direction === "minimize" ? score(a) - score(b) : score(b) - score(a)));
  if (ranked.length < 2) {
    throw new Error(`importance needs at least 2 completed trials, got ${ranked.length}`);
  }

  const divergences: Record<string, number> = {};
  for (const [name, param] of Object.entries(space)) {
    if (param.type === "fixed") continue;
    // Inactive, and values from outside the space (a warm start from an older one), are left out.
    const units = ranked.flatMap((trial) => {
      const value = trial.params[name];
      return value !== undefined && contains(param, value) ? [toUnit(param, value)] : [];
    });
    const top = units.slice(0, Math.max(1, Math.ceil(topFraction * units.length)));
    divergences[name] = top.length < units.length ? pearsonDivergence(param, top, units) : 0;
  }
  const total = Object.values(divergences).reduce((sum, divergence) => sum + divergence, 0);
  const names = Object.keys(divergences);
  return Object.fromEntries(
    names.map((name) => [
      name,
      total > 0 ? (divergences[name] as number) / total : 1 / names.length,
    ]),
  );
}

function pearsonDivergence(param: ParamSpec, top: number[], all: number[]): number {
  const pTop = cellProbabilities(param, top);
  const pAll = cellProbabilities(param, all);
  return pAll.reduce((sum, p, cell) => sum + p * ((pTop[cell] as number) / p - 1) ** 2, 0);
}

/**
 * The values' distribution over cells of the unit interval: one cell per value for categorical and
 * stepped parameters with few values, a Gaussian kernel density (Scott's bandwidth) on GRID cells
 * otherwise. One pseudo-observation spread uniformly keeps every cell positive, so the ratio of two
 * distributions is always defined.
 */
function cellProbabilities(param: ParamSpec, units: number[]): number[] {
  const bins = unitBins(param);
  const discrete = bins !== undefined && bins <= GRID;
  const cells = discrete ? bins : GRID;
  const weights = new Array<number>(cells).fill(1 / cells);
  if (discrete) {
    for (const u of units) {
      const cell = Math.min(cells - 1, Math.floor(u * cells));
      weights[cell] = (weights[cell] as number) + 1;
    }
  } else {
    const mean = units.reduce((sum, u) => sum + u, 0) / units.length;
    const std = Math.sqrt(units.reduce((sum, u) => sum + (u - mean) ** 2, 0) / units.length);
    const bandwidth = Math.max(1 / cells, 1.06 * std * units.length ** -0.2);
    for (const u of units) {
      const kernel = weights.map((_, cell) =>
        Math.exp(-0.5 * (((cell + 0.5) / cells - u) / bandwidth) ** 2),
      );
      // Each value adds one unit of mass, as in the discrete case, none of it lost past the edges.
      const mass = kernel.reduce((sum, k) => sum + k, 0);
      for (const [cell, k] of kernel.entries()) {
        weights[cell] = (weights[cell] as number) + k / mass;
      }
    }
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}
