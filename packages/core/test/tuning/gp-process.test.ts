// The Gaussian process against Optuna 5.0.0's own (optuna/_gp/gp.py, prior.py), run on the same
// inputs with torch 2.13 in float64: Matern52Kernel.apply, GPRegressor.kernel, .posterior,
// .marginal_log_likelihood() (which drops the constant −n/2 log 2π; added back here) and
// prior.default_log_prior. The fit is compared with fit_kernel_params on
// X = np.random.RandomState(0).rand(12, 2), y = sin(6 x₀) + x₁², standardised.
import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import {
  fitGaussianProcess,
  KernelFit,
  logMarginalLikelihood,
  logPrior,
  MINIMUM_NOISE_VARIANCE,
} from "../../src/tuning/samplers/gp/fit.ts";
import {
  GaussianProcess,
  type KernelParams,
  matern52,
} from "../../src/tuning/samplers/gp/gaussian-process.ts";

// The third coordinate is categorical: Optuna compares choice indices for equality.
const X = [
  [0.1, 0.2, 0],
  [0.4, 0.9, 1],
  [0.7, 0.3, 2],
  [0.95, 0.55, 1],
  [0.25, 0.75, 0],
];
const y = [0.3, -1.2, 0.8, 1.5, -0.4];
const categorical = [false, false, true];
const params: KernelParams = {
  inverseSquaredLengthScales: [2, 0.5, 1.5],
  signalVariance: 1.3,
  noiseVariance: 0.05,
};

function expectRelative(actual: number, expected: number, tolerance = 1e-12) {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

describe("Gaussian process", () => {
  it.each([
    [0, 1],
    [0.04, 0.9679861199640715],
    [0.5, 0.7024957601538032],
    [2, 0.3172833639540438],
    [10, 0.021010393769135008],
  ])("Matérn 5/2 at squared distance %d matches Optuna's", (d2, expected) => {
    expectRelative(matern52(d2), expected);
  });

  it("builds Optuna's kernel, with ARD length scales and Hamming distance on categories", () => {
    const gp = new GaussianProcess(X, y, categorical, params);
    const k = (i: number, j: number) => gp.kernel(X[i] as number[], X[j] as number[]);
    expectRelative(k(0, 1), 0.4271124118980777);
    expectRelative(k(1, 3), 0.824690850923179);
    expectRelative(k(0, 2), 0.3722623467430436);
  });

  it("has Optuna's posterior, at a known choice and at a choice no trial took", () => {
    const gp = new GaussianProcess(X, y, categorical, params);
    const seen = gp.posterior([0.5, 0.5, 1]);
    expectRelative(seen.mean, -0.3688086306769942, 1e-11);
    expectRelative(seen.variance, 0.16060098109071697, 1e-11);
    const unseen = gp.posterior([0.5, 0.5, 3]);
    expectRelative(unseen.mean, 0.07235074296339872, 1e-11);
    expectRelative(unseen.variance, 0.9661732005866646, 1e-11);
  });

  it("has Optuna's log marginal likelihood (plus its constant) and log prior", () => {
    expectRelative(logMarginalLikelihood(X, y, categorical, params), -8.494212609924883);
    expectRelative(logPrior(params), -3.5538756295545753);
  });

  it("has the posterior's gradient in x (central differences)", () => {
    const gp = new GaussianProcess(X, y, categorical, params);
    const x = [0.33, 0.61, 1];
    const { meanGradient, varianceGradient } = gp.posteriorWithGradient(x);
    for (const d of [0, 1]) {
      const h = 1e-6;
      const up = gp.posterior(x.map((v, i) => (i === d ? v + h : v)));
      const down = gp.posterior(x.map((v, i) => (i === d ? v - h : v)));
      expect(meanGradient[d]).toBeCloseTo((up.mean - down.mean) / (2 * h), 6);
      expect(varianceGradient[d]).toBeCloseTo((up.variance - down.variance) / (2 * h), 6);
    }
    expect(meanGradient[2]).toBe(0);
  });

  it("has the fitting loss's gradient in the raw hyperparameters (central differences)", () => {
    const fit = new KernelFit(X, y, categorical, false);
    const raw = [0.3, -0.7, 0.4, 0.2, Math.log(0.05)];
    const { gradient } = fit.loss(raw);
    raw.forEach((_, k) => {
      const h = 1e-6;
      const at = (delta: number) => fit.loss(raw.map((v, i) => (i === k ? v + delta : v))).value;
      expect(gradient[k]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 5);
    });
  });

  it("fits hyperparameters at least as probable as Optuna's fit_kernel_params", () => {
    const inputs = [
      [0.5488135039273248, 0.7151893663724195],
      [0.6027633760716439, 0.5448831829968969],
      [0.4236547993389047, 0.6458941130666561],
      [0.4375872112626925, 0.8917730007820798],
      [0.9636627605010293, 0.3834415188257777],
      [0.7917250380826646, 0.5288949197529045],
      [0.5680445610939323, 0.925596638292661],
      [0.07103605819788694, 0.08712929970154071],
      [0.02021839744032572, 0.832619845547938],
      [0.7781567509498505, 0.8700121482468192],
      [0.978618342232764, 0.7991585642167236],
      [0.46147936225293185, 0.7805291762864555],
    ];
    const targets = [
      0.016001401601130286, -0.8667903254163517, 1.0673975936818232, 1.5876757169678548,
      -1.15985327825805, -1.8137848787699085, 0.4096566857076744, 0.1180248816471334,
      0.7840794428898146, -1.005176643137433, -0.19078762875157265, 1.053557031837885,
    ];
    // Optuna's optimum: θ = [6.308, 0.535], signal 2.213, noise 2.96e-4, loss 10.136009693660034.
    const gp = fitGaussianProcess(inputs, targets, [false, false], {
      deterministic: false,
      random: new Random(0),
    });
    const loss =
      -logMarginalLikelihood(inputs, targets, [false, false], gp.params) - logPrior(gp.params);
    expect(loss).toBeLessThan(10.136009693660034 + 1e-3);
    expect(gp.params.inverseSquaredLengthScales[0]).toBeCloseTo(6.31, 1);
    expect(gp.params.inverseSquaredLengthScales[1]).toBeCloseTo(0.535, 1);
  });

  it("holds the noise at its minimum for a deterministic objective", () => {
    const gp = fitGaussianProcess(X, y, categorical, {
      deterministic: true,
      random: new Random(1),
    });
    expect(gp.params.noiseVariance).toBe(MINIMUM_NOISE_VARIANCE);
    // Nearly interpolates: the posterior at a trial is its value.
    expect(gp.posterior(X[1] as number[]).mean).toBeCloseTo(y[1] as number, 3);
  });

  it("conditions on more observations with the same kernel (the constant liar's lies)", () => {
    const gp = new GaussianProcess(X, y, categorical, params);
    const pending = [0.5, 0.5, 1];
    const before = gp.posterior(pending);
    const after = gp.withObservations([pending], [-2]).posterior(pending);
    expect(before.mean).toBeGreaterThan(-0.5);
    expect(after.mean).toBeLessThan(-1.5);
    expect(after.variance).toBeLessThan(params.noiseVariance);
    expect(before.variance).toBeGreaterThan(3 * params.noiseVariance);
    expect(gp.withObservations([], [])).toBe(gp);
  });
});
