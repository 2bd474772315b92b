/**
 * Learning-rate schedules as pure functions of the optimizer step (0 for the first update), with
 * the formulas of PyTorch's StepLR, ExponentialLR, CosineAnnealingLR and OneCycleLR and Keras'
 * ExponentialDecay. Every schedule can start with a linear warmup: the rate rises from 0 over
 * warmupSteps, then the schedule runs from its own step 0.
 */
import { z } from "zod";

const warmupSteps = z
  .number()
  .int({ error: "warmupSteps must be a whole number of steps" })
  .min(0, { error: "warmupSteps must be 0 or more" })
  .default(0);

const positiveSteps = (name: string) =>
  z
    .number()
    .int({ error: `${name} must be a whole number of steps` })
    .min(1, { error: `${name} must be at least 1` });

const decayFactor = (name: string) =>
  z
    .number()
    .gt(0, { error: `${name} must be above 0` })
    .max(1, { error: `${name} must be at most 1 (it multiplies the rate)` });

export const scheduleSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("constant"), warmupSteps }),
    /** PyTorch StepLR: multiply by gamma every stepSize steps. */
    z.object({
      kind: z.literal("step"),
      stepSize: positiveSteps("stepSize"),
      gamma: decayFactor("gamma"),
      warmupSteps,
    }),
    /**
     * Keras ExponentialDecay: decayRate^(step / decaySteps), the exponent floored when staircase.
     * With decaySteps 1 it is PyTorch's ExponentialLR with gamma = decayRate.
     */
    z.object({
      kind: z.literal("exponential"),
      decayRate: decayFactor("decayRate"),
      decaySteps: z.number().gt(0, { error: "decaySteps must be above 0" }).default(1),
      staircase: z.boolean().default(false),
      warmupSteps,
    }),
    /**
     * PyTorch CosineAnnealingLR's closed form with T_max = decaySteps and eta_min = minLr; after
     * decaySteps the rate stays at minLr (PyTorch's would rise again).
     */
    z.object({
      kind: z.literal("cosine"),
      decaySteps: positiveSteps("decaySteps"),
      minLr: z.number().min(0, { error: "minLr must be 0 or more" }).default(0),
      warmupSteps,
    }),
    /**
     * PyTorch OneCycleLR with cosine annealing, two phases, and the base rate as max_lr: from
     * max_lr / divFactor up to max_lr over pctStart of totalSteps, then down to
     * max_lr / divFactor / finalDivFactor at step totalSteps - 1, where it stays.
     */
    z
      .object({
        kind: z.literal("one-cycle"),
        totalSteps: z
          .number()
          .int({ error: "totalSteps must be a whole number of steps" })
          .min(2, { error: "totalSteps must be at least 2" }),
        pctStart: z
          .number()
          .gt(0, { error: "pctStart must be above 0" })
          .lt(1, { error: "pctStart must be below 1" })
          .default(0.3),
        divFactor: z.number().gt(0, { error: "divFactor must be above 0" }).default(25),
        finalDivFactor: z.number().gt(0, { error: "finalDivFactor must be above 0" }).default(1e4),
        warmupSteps,
      })
      .refine((schedule) => schedule.pctStart * schedule.totalSteps > 1, {
        error: "pctStart * totalSteps must be above 1, so that the rising phase has a step",
        path: ["pctStart"],
      }),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? 'kind must be one of "constant", "step", "exponential", "cosine", "one-cycle"'
        : undefined,
  },
);

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleKind = Schedule["kind"];

export function learningRateAt(schedule: Schedule, baseLr: number, step: number): number {
  if (!Number.isInteger(step) || step < 0) {
    throw new Error(`the step must be a whole number, 0 or more, got ${step}`);
  }
  if (!(Number.isFinite(baseLr) && baseLr > 0)) {
    throw new Error(`the base learning rate must be a positive number, got ${baseLr}`);
  }
  if (step < schedule.warmupSteps) {
    return (step / schedule.warmupSteps) * scheduledRate(schedule, baseLr, 0);
  }
  return scheduledRate(schedule, baseLr, step - schedule.warmupSteps);
}

function scheduledRate(schedule: Schedule, baseLr: number, step: number): number {
  switch (schedule.kind) {
    case "constant":
      return baseLr;
    case "step":
      return baseLr * schedule.gamma ** Math.floor(step / schedule.stepSize);
    case "exponential": {
      const exponent = step / schedule.decaySteps;
      return baseLr * schedule.decayRate ** (schedule.staircase ? Math.floor(exponent) : exponent);
    }
    case "cosine": {
      const progress = Math.min(step, schedule.decaySteps) / schedule.decaySteps;
      return cosineAnneal(baseLr, schedule.minLr, progress);
    }
    case "one-cycle": {
      const initialLr = baseLr / schedule.divFactor;
      const finalLr = initialLr / schedule.finalDivFactor;
      // PyTorch ends the rising phase at this (fractional) step, and starts the falling one there.
      const peakStep = schedule.pctStart * schedule.totalSteps - 1;
      const lastStep = schedule.totalSteps - 1;
      const clampedStep = Math.min(step, lastStep);
      if (clampedStep <= peakStep) return cosineAnneal(initialLr, baseLr, clampedStep / peakStep);
      return cosineAnneal(baseLr, finalLr, (clampedStep - peakStep) / (lastStep - peakStep));
    }
  }
}

/** From start (progress 0) to end (progress 1) along half a cosine, as PyTorch's _annealing_cos. */
function cosineAnneal(start: number, end: number, progress: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * progress) + 1);
}
