import { describe, expect, it } from "vitest";
import { Random } from "../../src/random.ts";
import { paretoFront } from "../../src/tuning/pareto.ts";
import { Nsga2Sampler } from "../../src/tuning/samplers/nsga2.ts";
import { RandomSampler } from "../../src/tuning/samplers/random.ts";
import type { SearchSpace } from "../../src/tuning/space.ts";
import type { Params, StudyHistory } from "../../src/tuning/types.ts";
import { median, runStudy } from "./run-study.ts";

const space: SearchSpace = Object.fromEntries(
  Array.from({ length: 5 }, (_, i) => [`x${i}`, { type: "float", low: 0, high: 1 }]),
);

/** ZDT1: its Pareto front is f2 = 1 - sqrt(f1), reached when x1..x4 are 0. */
function zdt1(params: Params): number[] {
  const x = Object.values(params) as number[];
  const f1 = x[0] as number;
  const g = 1 + (9 * x.slice(1).reduce((sum, xi) => sum + xi, 0)) / (x.length - 1);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}

/** Mean distance of the study's Pareto front above the true front. */
function gap(history: StudyHistory): number {
  const front = paretoFront(history.trials, history.directions);
  const above = front.map((trial) => {
    const [f1, f2] = trial.values as [number, number];
    return f2 - (1 - Math.sqrt(f1));
  });
  return above.reduce((sum, d) => sum + d, 0) / above.length;
}

describe("NSGA-II sampler", () => {
  it("gets closer to the true Pareto front than random search (5 fixed seeds)", () => {
    const gaps = (create: () => Nsga2Sampler | RandomSampler) =>
      median(
        [0, 1, 2, 3, 4].map((seed) =>
          gap(runStudy(create(), space, zdt1, 200, seed, ["minimize", "minimize"])),
        ),
      );
    const nsga2 = gaps(() => new Nsga2Sampler({ populationSize: 20 }));
    const random = gaps(() => new RandomSampler());
    expect(nsga2).toBeLessThan(random / 2);
  });

  it("samples at random until a population has completed", () => {
    const history = runStudy(new RandomSampler(), space, zdt1, 19, 0, ["minimize", "minimize"]);
    const nsga2 = new Nsga2Sampler({ populationSize: 20 });
    const random = new RandomSampler();
    expect(nsga2.ask(space, history, new Random(3))).toEqual(
      random.ask(space, history, new Random(3)),
    );
  });

  it("breeds categorical and conditional parameters from its parents", () => {
    const conditional: SearchSpace = {
      kind: { type: "categorical", choices: ["a", "b"] },
      size: { type: "int", low: 1, high: 64, log: true, when: { kind: ["b"] } },
      rate: { type: "float", low: 0, high: 1, step: 0.25 },
    };
    const objective = (p: Params) => [
      (p.kind === "b" ? 0 : 1) + (p.rate as number),
      p.size === undefined ? 10 : Math.log2(p.size as number),
    ];
    const history = runStudy(
      new Nsga2Sampler({ populationSize: 8, crossover: "uniform" }),
      conditional,
      objective,
      60,
      2,
      ["minimize", "minimize"],
    );
    const late = history.trials.slice(40);
    expect(late.filter((t) => t.params.kind === "b").length).toBeGreaterThan(12);
    expect(late.filter((t) => t.params.rate === 0).length).toBeGreaterThan(10);
  });

  it("breeds from feasible trials first, as Optuna's NSGAIISampler with constraints", () => {
    // Deb's constrained domination (optuna/samplers/nsgaii/_constraints_evaluation.py): a feasible
    // trial beats an infeasible one whatever their values. Four feasible trials on x = 0.1, 0.2
    // and four infeasible, better ones on 0.8, 0.9: with a population of four and no mutation,
    // every child is bred from feasible parents only.
    const line: SearchSpace = { x: { type: "float", low: 0, high: 1, step: 0.1 } };
    const trials = [0.1, 0.2, 0.1, 0.2, 0.8, 0.9, 0.8, 0.9].map((x, number) => {
      const feasible = number < 4;
      const value = feasible ? 10 + number : number - 10;
      return {
        number,
        params: { x },
        state: "completed" as const,
        values: [value, value],
        intermediate: [],
        constraints: [feasible ? -1 : number],
      };
    });
    const nsga2 = new Nsga2Sampler({ populationSize: 4, mutationProbability: 0 });
    const history: StudyHistory = { directions: ["minimize", "minimize"], trials };
    const children = Array.from(
      { length: 40 },
      (_, seed) => nsga2.ask(line, history, new Random(seed)).x as number,
    );
    expect(children.every((x) => x <= 0.3)).toBe(true);
    const unconstrained = trials.map(({ constraints: _, ...trial }) => trial);
    const free = Array.from(
      { length: 40 },
      (_, seed) =>
        nsga2.ask(line, { ...history, trials: unconstrained }, new Random(seed)).x as number,
    );
    expect(free.every((x) => x >= 0.7)).toBe(true);
  });
});
