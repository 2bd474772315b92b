// What every sampler must do: stay inside the space (bounds, steps, log scales, conditions) and
// repeat itself for the same seed.
import { describe, expect, it } from "vitest";
import type { PrunerSpec } from "../../src/tuning/pruner-spec.ts";
import {
  createSampler,
  type SamplerSpec,
  samplerSpecSchema,
} from "../../src/tuning/samplers/index.ts";
import { randomForTrial } from "../../src/tuning/samplers/sampler.ts";
import { contains, fitsSpace, type SearchSpace } from "../../src/tuning/space.ts";
import type { Params } from "../../src/tuning/types.ts";
import { runStudy } from "./run-study.ts";

const space: SearchSpace = {
  optimizer: { type: "categorical", choices: ["adam", "sgd"] },
  lr: { type: "float", low: 1e-5, high: 1e-1, log: true },
  beta2: { type: "float", low: 0.9, high: 0.999, step: 0.001, when: { optimizer: ["adam"] } },
  momentum: { type: "float", low: 0.5, high: 0.99, when: { optimizer: ["sgd"] } },
  nesterov: { type: "categorical", choices: [true, false], when: { optimizer: ["sgd"] } },
  // Nested: active only for sgd with nesterov.
  warmup: { type: "int", low: 0, high: 1000, step: 100, when: { nesterov: [true] } },
  layers: { type: "int", low: 1, high: 6 },
  width: { type: "int", low: 16, high: 512, log: true },
  dropout: { type: "float", low: 0, high: 0.5, step: 0.1 },
  batch_size: { type: "fixed", value: 32 },
};

/** Some structure for the model-based samplers to chase. */
function objective(params: Params): number[] {
  const lr = Math.log10(params.lr as number);
  const branch = params.optimizer === "adam" ? 0 : 0.3;
  return [
    branch + (lr + 3) ** 2 + ((params.layers as number) - 3) ** 2 / 10 + (params.dropout as number),
    Math.log2(params.width as number),
  ];
}

const specs: SamplerSpec[] = [
  { kind: "random" },
  { kind: "sobol", scramble: true },
  { kind: "sobol", scramble: false },
  { ...tpeDefaults(), startupTrials: 5 },
  { ...tpeDefaults(), startupTrials: 5, multivariate: true },
  // Fewer candidates and local searches than the defaults keep these 40-trial studies quick.
  {
    kind: "gp",
    startupTrials: 5,
    deterministicObjective: false,
    candidates: 256,
    localSearches: 3,
  },
  {
    kind: "nsga2",
    populationSize: 10,
    crossover: "sbx",
    crossoverProbability: 0.9,
    sbxEta: 20,
  },
  samplerSpecSchema.parse({ kind: "bohb" }),
  {
    kind: "cmaes",
    popsize: 6,
    restartStrategy: "ipop",
    incPopsize: 2,
    startupTrials: 2,
    considerPrunedTrials: false,
  },
];

/** BOHB's budgets; the other samplers ignore the pruner. */
const hyperband: PrunerSpec = {
  kind: "hyperband",
  minResource: 1,
  maxResource: 27,
  reductionFactor: 3,
};

function tpeDefaults(): SamplerSpec & { kind: "tpe" } {
  return {
    kind: "tpe",
    startupTrials: 10,
    eiCandidates: 24,
    goodFraction: 0.1,
    maxGoodTrials: 25,
    priorWeight: 1,
    multivariate: false,
    constantLiar: true,
  };
}

const label = (spec: SamplerSpec) => JSON.stringify(spec).slice(0, 60);

describe.each(specs.map((spec) => [label(spec), spec] as const))("%s", (_, spec) => {
  const directions = spec.kind === "nsga2" ? (["minimize", "maximize"] as const) : undefined;
  const study = (seed: number) =>
    runStudy(
      createSampler(spec, seed, undefined, hyperband),
      space,
      objective,
      40,
      seed,
      directions && [...directions],
    );

  it("respects bounds, steps, log scales and conditions", () => {
    const history = study(1);
    for (const trial of history.trials) {
      expect(fitsSpace(space, trial.params), JSON.stringify(trial.params)).toBe(true);
    }
    const branches = new Set(history.trials.map((trial) => trial.params.optimizer));
    expect(branches).toEqual(new Set(["adam", "sgd"]));
  });

  it("repeats itself for a seed and differs for another", () => {
    const params = (seed: number) => study(seed).trials.map((trial) => trial.params);
    expect(params(7)).toEqual(params(7));
    // The plain Sobol sequence is the same for every seed; that is what plain means.
    const plain = spec.kind === "sobol" && !spec.scramble;
    if (plain) expect(params(8)).toEqual(params(7));
    else expect(params(8)).not.toEqual(params(7));
  });
});

it("keeps every value of a narrow log-scale int on its integers", () => {
  const narrow: SearchSpace = { n: { type: "int", low: 1, high: 3, log: true } };
  const sampler = createSampler({ kind: "random" });
  const seen = new Set(
    Array.from({ length: 300 }, (_, i) =>
      sampler.ask(narrow, { directions: ["minimize"], trials: [] }, randomForTrial(0, i)),
    ).map((params) => params.n),
  );
  expect([...seen].sort()).toEqual([1, 2, 3]);
  for (const value of seen) expect(contains(narrow.n as never, value as number)).toBe(true);
});
