// The pruner part of a study spec. Its settings match the options of the pruners in ./pruners/,
// which build from the parsed object; the spec and the W&B importer share this one schema.
import { z } from "zod";

const resourceSchema = z.number().int().min(1);

const noPrunerSchema = z.strictObject({ kind: z.literal("none") });

/** When a trial is checked: the median rule and its multi-objective generalisation share these. */
const checkScheduleShape = {
  /** No pruning until this many trials have completed. */
  startupTrials: z.number().int().min(0).default(5),
  /** No pruning before this step of a trial. */
  warmupSteps: z.number().int().min(0).default(0),
  /** Check once per this many steps after the warm-up. */
  intervalSteps: z.number().int().min(1).default(1),
};

const medianPrunerSchema = z.strictObject({ kind: z.literal("median"), ...checkScheduleShape });

/** For several objectives: prune a trial dominated at a check by at least `dominatedBy` others. */
const multiObjectivePrunerSchema = z.strictObject({
  kind: z.literal("multi-objective"),
  ...checkScheduleShape,
  dominatedBy: z.number().int().min(1).default(1),
});

/** Rungs at minResource·η^k up to maxResource, in training steps. */
const rungsShape = {
  minResource: resourceSchema,
  maxResource: resourceSchema,
  /** η: a trial passes a rung in the top 1/η there. */
  reductionFactor: z.number().min(2).default(3),
};

function rungsAscend(pruner: { minResource: number; maxResource: number }, ctx: z.RefinementCtx) {
  if (pruner.minResource >= pruner.maxResource) {
    ctx.addIssue({
      code: "custom",
      path: ["minResource"],
      message: `minResource (${pruner.minResource}) must be below maxResource (${pruner.maxResource})`,
    });
  }
}

const ashaPrunerSchema = z
  .strictObject({
    kind: z.literal("asha"),
    ...rungsShape,
    /** "prune" stops a trial for good; "pause" keeps its checkpoint so a promotion resumes it. */
    mode: z.enum(["prune", "pause"]).default("pause"),
  })
  .superRefine(rungsAscend);

const hyperbandPrunerSchema = z
  .strictObject({ kind: z.literal("hyperband"), ...rungsShape })
  .superRefine(rungsAscend);

const thresholdPrunerSchema = z
  .strictObject({
    kind: z.literal("threshold"),
    /** Prune below this value. */
    lower: z.number().optional(),
    /** Prune above this value. */
    upper: z.number().optional(),
    /** Prune after this many reports in a row without improvement. */
    patience: z.number().int().min(1).optional(),
    /** The improvement on the earlier best that resets the patience. */
    minDelta: z.number().min(0).default(0),
  })
  .superRefine((pruner, ctx) => {
    const { lower, upper, patience } = pruner;
    if (lower === undefined && upper === undefined && patience === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "give lower, upper or patience" });
    }
    if (lower !== undefined && upper !== undefined && lower >= upper) {
      ctx.addIssue({
        code: "custom",
        path: ["lower"],
        message: `lower (${lower}) must be below upper (${upper})`,
      });
    }
  });

export const prunerSpecSchema = z.discriminatedUnion("kind", [
  noPrunerSchema,
  medianPrunerSchema,
  multiObjectivePrunerSchema,
  ashaPrunerSchema,
  hyperbandPrunerSchema,
  thresholdPrunerSchema,
]);

export type PrunerSpec = z.output<typeof prunerSpecSchema>;
export type PrunerSpecInput = z.input<typeof prunerSpecSchema>;
