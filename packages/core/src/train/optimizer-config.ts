// The optimizer's settings, apart from the optimizer itself so that the study spec's schemas (and
// the web form built from them) can use them without TensorFlow.js.
import { z } from "zod";

const beta = z.number().min(0).lt(1);

export const optimizerConfigSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("adam"),
    beta1: beta.default(0.9),
    beta2: beta.default(0.999),
    epsilon: z.number().positive().default(1e-8),
  }),
  z.object({
    kind: z.literal("adamw"),
    beta1: beta.default(0.9),
    beta2: beta.default(0.999),
    epsilon: z.number().positive().default(1e-8),
    /** Decoupled decay: each step multiplies matrices (rank ≥ 2) by 1 - learningRate · weightDecay. */
    weightDecay: z.number().min(0).default(0.01),
  }),
  z.object({ kind: z.literal("sgd"), momentum: z.number().min(0).lt(1).default(0.9) }),
]);

export type OptimizerConfig = z.output<typeof optimizerConfigSchema>;
export type OptimizerConfigInput = z.input<typeof optimizerConfigSchema>;
