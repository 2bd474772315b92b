import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { OptimizerConfigInput } from "../../src/train/optimizer-config.ts";
import { clipByGlobalNorm, type Gradients, Optimizer } from "../../src/train/optimizers.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

/** A vector and a 1×2 matrix, so that AdamW's "matrices only" decay shows. */
function parameters() {
  return new Map<string, tf.Variable>([
    ["vector", tf.variable(tf.tensor1d([1, -2]))],
    ["matrix", tf.variable(tf.tensor2d([[1, -2]]))],
  ]);
}

const gradientSteps = [
  [0.5, -0.1],
  [0.5, 0.3],
];

/** Applies the two gradient steps above to both parameters; returns their values after each step. */
function run(config: OptimizerConfigInput, learningRate = 0.1) {
  const params = parameters();
  const optimizer = new Optimizer(config, params);
  const history = gradientSteps.map((g) => {
    const gradients: Gradients = new Map<string, tf.Tensor>([
      ["vector", tf.tensor1d(g)],
      ["matrix", tf.tensor2d([g])],
    ]);
    optimizer.apply(gradients, learningRate);
    tf.dispose([...gradients.values()]);
    return {
      vector: Array.from(params.get("vector")?.dataSync() ?? []),
      matrix: Array.from(params.get("matrix")?.dataSync() ?? []),
    };
  });
  return { history, optimizer, params };
}

function expectClose(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(actual[i]).toBeCloseTo(expected[i] as number, 5);
  }
}

describe("Optimizer", () => {
  it("Adam follows PyTorch's update with bias correction (hand-computed)", () => {
    const { history } = run({ kind: "adam" });
    // Step 1: m̂ = g and v̂ = g², so each weight moves by lr · sign(g).
    expectClose(history[0]?.vector ?? [], [0.9, -1.9]);
    // Step 2: m = [0.095, 0.021], v = [4.9975e-4, 9.999e-5]; m̂ = m / 0.19, v̂ = v / 0.001999.
    expectClose(history[1]?.vector ?? [], [0.8, -1.949419]);
    expectClose(history[1]?.matrix ?? [], [0.8, -1.949419]);
  });

  it("AdamW decays matrices by 1 - lr · weightDecay before the Adam step, and not vectors", () => {
    const { history } = run({ kind: "adamw", weightDecay: 0.1 });
    expectClose(history[0]?.matrix ?? [], [0.99 - 0.1, -1.98 + 0.1]);
    expectClose(history[0]?.vector ?? [], [0.9, -1.9]);
  });

  it("SGD with momentum accumulates a velocity buffer (hand-computed)", () => {
    const { history } = run({ kind: "sgd", momentum: 0.9 });
    // buffer = g = [0.5, -0.1]; then 0.9 · buffer + g = [0.95, 0.21].
    expectClose(history[0]?.vector ?? [], [0.95, -1.99]);
    expectClose(history[1]?.vector ?? [], [0.855, -2.011]);
  });

  it("exposes its state as named slots and counts steps", () => {
    const { optimizer } = run({ kind: "adam" });
    expect([...optimizer.slots.keys()]).toEqual(["vector.m", "vector.v", "matrix.m", "matrix.v"]);
    expectClose(Array.from(optimizer.slots.get("vector.m")?.dataSync() ?? []), [0.095, 0.021]);
    expect(optimizer.step).toBe(2);
    const sgd = run({ kind: "sgd" }).optimizer;
    expect([...sgd.slots.keys()]).toEqual(["vector.momentum", "matrix.momentum"]);
  });

  it("rejects an invalid config and a missing gradient with context", () => {
    expect(() => new Optimizer({ kind: "adam", beta1: 1 }, parameters())).toThrow(
      /invalid optimizer config.*beta1/s,
    );
    const optimizer = new Optimizer({ kind: "sgd" }, parameters());
    expect(() => optimizer.apply(new Map(), 0.1)).toThrow("no gradient for parameter vector");
  });
});

describe("clipByGlobalNorm", () => {
  const gradients = (): Gradients =>
    new Map<string, tf.Tensor>([
      ["a", tf.tensor1d([3, 0])],
      ["b", tf.tensor2d([[0, 4]])],
    ]);

  it("scales all gradients together down to the maximum norm and reports the norm before", () => {
    const { gradients: clipped, norm } = clipByGlobalNorm(gradients(), 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 5);
    expectClose(Array.from(clipped.get("a")?.dataSync() ?? []), [0.6, 0]);
    expectClose(Array.from(clipped.get("b")?.dataSync() ?? []), [0, 0.8]);
  });

  it("leaves gradients under the maximum unchanged", () => {
    const { gradients: clipped } = clipByGlobalNorm(gradients(), 10);
    expectClose(Array.from(clipped.get("a")?.dataSync() ?? []), [3, 0]);
    expectClose(Array.from(clipped.get("b")?.dataSync() ?? []), [0, 4]);
  });
});
