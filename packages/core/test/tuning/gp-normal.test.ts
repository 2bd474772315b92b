// Reference values computed with mpmath 1.3 at 50 digits (mp.dps = 50), rounded to doubles:
//   erfcx(x) = exp(x²) erfc(x); log Φ(z) = log(ncdf(z)), derivative npdf/ncdf;
//   log h(z) = log(npdf(z) + z ncdf(z)), derivative ncdf(z)/h(z).
import { describe, expect, it } from "vitest";
import { erfcx, logH, logNormalCdf } from "../../src/tuning/samplers/gp/normal.ts";

function expectRelative(actual: number, expected: number, tolerance: number) {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

describe("normal tails", () => {
  it.each([
    [-3, 16205.988853999586],
    [-0.5, 1.952360489182557],
    [0, 1],
    [0.3, 0.7345993345676551],
    [1.9, 0.26650937366167265],
    [2.1, 0.24511912334517233],
    [5, 0.11070463773306863],
    [50, 0.011281536265323773],
    [1e4, 5.641895807268084e-5],
  ])("erfcx(%d) on both sides of the series/fraction switch", (x, expected) => {
    expectRelative(erfcx(x), expected, 1e-13);
  });

  it.each([
    [5, -2.866516129637636e-7, 1.4867199409049056e-6],
    [0.5, -0.3689464152886564, 0.5091604338370335],
    [-1, -1.8410216450092636, 1.525135276160981],
    [-10, -53.23128515051247, 10.098093233962512],
    [-40, -804.6084420137538, 40.02496884720726],
  ])("log Φ(%d) and its derivative, far into the lower tail", (z, value, derivative) => {
    const result = logNormalCdf(z);
    expectRelative(result.value, value, 1e-12);
    expectRelative(result.derivative, derivative, 1e-12);
  });

  it.each([
    [3, 1.0987396653277077, 0.3328409684517952],
    [0.5, -0.3598276837450638, 0.9909227180041099],
    [0, -0.9189385332046728, 1.2533141373155003],
    [-1, -2.4851210257126413, 1.9042712333296918],
    [-5, -16.74430116266099, 5.361816241288088],
    [-20, -206.9178385094251, 20.099262811101283],
    [-30, -457.724653760598, 30.06644615416242],
    [-999, -499015.2324510965, 999.002001995984],
    [-1001, -501015.23645108583, 1001.001997996016],
    [-5000, -12500017.953325037, 5000.000399999952],
  ])("log h(%d), the log expected improvement at z, and its derivative", (z, value, derivative) => {
    const result = logH(z);
    expectRelative(result.value, value, 1e-11);
    expectRelative(result.derivative, derivative, 1e-9);
  });
});
