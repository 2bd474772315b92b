// The pruner part of a study spec. Its settings match the options of the pruners in ./pruners/,
// which build from the parsed object; the spec and the W&B importer share this one schema.
import { z } from "zod";

const resourceSchema = z.number().int().min(1);

const noPrunerSchema = z
  .strictObject({ kind: z.literal("none") })
  .describe("No pruning: every trial trains its full length.")
  .meta({ label: "None" });

/** When a trial is checked: the median rule and its multi-objective generalisation share these. */
const checkScheduleShape = {
  startupTrials: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe("No pruning until this many trials have completed.")
    .meta({ label: "Completed trials first" }),
  warmupSteps: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("No pruning before this step of a trial.")
    .meta({ label: "No pruning before step" }),
  intervalSteps: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe("Check once per this many steps after the warm-up (checks fall on evaluations).")
    .meta({ label: "Check every (steps)" }),
};

const medianPrunerSchema = z
  .strictObject({ kind: z.literal("median"), ...checkScheduleShape })
  .describe(
    "Optuna's median rule: prune a trial whose best value so far is worse than the median of the completed trials' values at the same step. One objective.",
  )
  .meta({ label: "Median", objectives: "one" });

/** For several objectives: prune a trial dominated at a check by at least `dominatedBy` others. */
const multiObjectivePrunerSchema = z
  .strictObject({
    kind: z.literal("multi-objective"),
    ...checkScheduleShape,
    dominatedBy: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe(
        "Prune a trial when at least this many completed trials dominate it at the same step (no worse in every objective, better in one).",
      )
      .meta({ label: "Dominated by at least" }),
  })
  .describe(
    "The median rule for several objectives: prune a trial that enough completed trials beat in every objective at once at the same step. Needs two or more objectives.",
  )
  .meta({ label: "Multi-objective (dominated)", objectives: "several" });

/** Rungs at minResource·η^k up to maxResource, in training steps. */
const rungsShape = {
  minResource: resourceSchema.meta({
    label: "Min steps",
    description: "The first rung, in training steps: no trial is judged before it.",
    examples: [20],
  }),
  maxResource: resourceSchema.meta({
    label: "Max steps",
    description:
      "The training length the rungs lead up to, in steps; usually the trial's full length (budget.stepsPerTrial). Above minResource.",
    examples: [180],
  }),
  reductionFactor: z
    .number()
    .min(2)
    .default(3)
    .describe(
      "η: rungs are η times apart, and a trial passes a rung when it is in the top 1/η of the trials that reached it.",
    )
    .meta({ label: "Reduction factor η" }),
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
    mode: z
      .enum(["prune", "pause"])
      .default("pause")
      .describe(
        "prune: a trial that fails a rung stops for good; pause: it keeps its checkpoint and resumes if later arrivals promote it.",
      )
      .meta({ label: "Mode" }),
  })
  .superRefine(rungsAscend)
  .describe(
    "Asynchronous successive halving (ASHA): rungs at minResource·η^k steps below maxResource; at each rung only the top 1/η of the trials so far go on.",
  )
  .meta({ label: "ASHA", objectives: "one" });

const hyperbandPrunerSchema = z
  .strictObject({ kind: z.literal("hyperband"), ...rungsShape })
  .superRefine(rungsAscend)
  .describe(
    "Hyperband (as Optuna's): several ASHA brackets, from one that prunes from minResource to one that never prunes; each trial is assigned a bracket and competes within it. Prunes, never pauses.",
  )
  .meta({ label: "Hyperband", objectives: "one" });

const thresholdPrunerSchema = z
  .strictObject({
    kind: z.literal("threshold"),
    lower: z
      .number()
      .optional()
      .meta({
        label: "Prune below",
        description: "Prune a trial whose value falls below this.",
        examples: [0],
      }),
    upper: z
      .number()
      .optional()
      .meta({
        label: "Prune above",
        description: "Prune a trial whose value rises above this.",
        examples: [4],
      }),
    patience: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({
        label: "Patience (reports)",
        description:
          "Prune a trial after this many reports in a row without improvement (early stopping); one objective.",
        examples: [3],
      }),
    minDelta: z
      .number()
      .min(0)
      .default(0)
      .describe("The improvement on the earlier best that counts as progress for patience.")
      .meta({ label: "Min improvement" }),
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
  })
  .describe(
    "Stops diverging or stalled trials on their own values: a NaN or infinite value, one outside [lower, upper], or no progress for patience reports. Give at least one of lower, upper and patience.",
  )
  .meta({ label: "Threshold" });

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
