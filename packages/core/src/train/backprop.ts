/**
 * tf.variableGrads, releasing memory as the backward pass goes. tfjs's own (engine.gradients) keeps
 * every tensor a gradient function saved and every intermediate gradient until the whole backward
 * pass ends, so its peak holds all the activations and all their gradients at once. This walks the
 * same tape the same way, computing the same gradients, but disposes each node's saved tensors and
 * its outputs' gradients as soon as the node is done, and the saved tensors of nodes that the
 * gradients do not pass through before it starts.
 *
 * It reads the tape through tfjs's engine internals (4.22's `state.activeTape`, `startTape`,
 * `endTape`, `scopedRun`), which the tests hold to tf.variableGrads's results.
 */
import * as tf from "@tensorflow/tfjs";

/** A recorded op, as tfjs's engine keeps it. */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/**
 * The value of f (a scalar) and its gradient with respect to each of `variables` that it depends
 * on, by variable name, as tf.variableGrads computes them.
 */
export function variableGradients(
  f: () => tf.Scalar,
  variables: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tf.engine() as unknown as EngineInternals;
  // Within another gradient (a higher-order one), the tape and its saved tensors are not ours.
  if (engine.state.gradientDepth > 0) return tf.variableGrads(f, variables);
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy("forward", f),
  );
  if (y.rank !== 0) throw new Error(`the loss must be a scalar, got rank ${y.rank}`);
  const tape = engine.state.activeTape ?? [];
  const path = nodesFromTo(tape, variables, y);
  const onPath = new Set(path.map((node) => node.id));
  for (const node of tape) if (!onPath.has(node.id)) tf.dispose(node.saved ?? []);
  const grads = engine.tidy("backward", () => {
    const gradients = new GradientMap();
    gradients.add(y, tf.onesLike(y));
    for (const node of path.reverse()) {
      if (node.gradient === undefined) {
        throw new Error(`cannot compute the gradient: ${node.kernelName} has no gradient function`);
      }
      const inputGradients = node.gradient(node.outputs.map((output) => gradients.get(output)));
      for (const [name, input] of Object.entries(node.inputs)) {
        const thunk = inputGradients[name];
        if (thunk === undefined) {
          throw new Error(`${node.kernelName}'s gradient function gives none for input ${name}`);
        }
        const gradient = engine.tidy(`${node.kernelName} gradient`, thunk);
        if (!tf.util.arraysEqual(gradient.shape, input.shape)) {
          throw new Error(
            `${node.kernelName}'s gradient for input ${name} is [${gradient.shape}], the input [${input.shape}]`,
          );
        }
        gradients.add(input, gradient);
      }
      // Nothing reads this node's outputs' gradients or its saved tensors again.
      for (const output of node.outputs) gradients.release(output);
      tf.dispose(node.saved ?? []);
    }
    return variables.map((variable) => gradients.take(variable));
  });
  engine.state.activeTape = null;
  const named: tf.NamedTensorMap = {};
  variables.forEach((variable, i) => {
    const gradient = grads[i];
    if (gradient !== undefined) named[variable.name] = gradient;
  });
  return { value: y, grads: named };
}

/**
 * The gradient of each tensor so far, by tensor id. One gradient tensor can stand for several
 * tensors (a gradient function may hand its dy on unchanged), so each is disposed when the last
 * tensor it stands for lets it go.
 */
class GradientMap {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  get(tensor: tf.Tensor): tf.Tensor | null {
    return this.byId.get(tensor.id) ?? null;
  }

  /** Adds a gradient of `tensor` to its sum so far. */
  add(tensor: tf.Tensor, gradient: tf.Tensor) {
    const previous = this.byId.get(tensor.id);
    const sum = previous === undefined ? gradient : tf.add(previous, gradient);
    this.byId.set(tensor.id, sum);
    this.holders.set(sum, (this.holders.get(sum) ?? 0) + 1);
    if (previous !== undefined) {
      this.release(tensor, previous);
      this.disposeUnheld(gradient);
    }
  }

  /** Lets go of `tensor`'s gradient: disposed unless it stands for another tensor too. */
  release(tensor: tf.Tensor, gradient = this.byId.get(tensor.id)) {
    if (gradient === undefined) return;
    if (this.byId.get(tensor.id) === gradient) this.byId.delete(tensor.id);
    this.holders.set(gradient, (this.holders.get(gradient) ?? 1) - 1);
    this.disposeUnheld(gradient);
  }

  /** `tensor`'s gradient, handed over (no longer disposed here); undefined if it has none. */
  take(tensor: tf.Tensor): tf.Tensor | undefined {
    const gradient = this.byId.get(tensor.id);
    this.byId.delete(tensor.id);
    return gradient;
  }

  private disposeUnheld(gradient: tf.Tensor) {
    if ((this.holders.get(gradient) ?? 0) > 0) return;
    this.holders.delete(gradient);
    if (!(gradient instanceof tf.Variable)) gradient.dispose();
  }
}

/**
 * The nodes of the tape on a path from one of xs to y, in tape order, each with only the inputs
 * that depend on xs (tfjs's getFilteredNodesXToY).
 */
function nodesFromTo(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      nodesFromX.add(node.id);
      for (const output of node.outputs) fromX.add(output.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (const node of [...tape].reverse()) {
    if (node.outputs.some((output) => leadsToY.has(output.id))) {
      nodesToY.add(node.id);
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({
      ...node,
      inputs: Object.fromEntries(
        Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id)),
      ),
    }));
}
