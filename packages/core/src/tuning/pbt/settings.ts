// The spec of population-based training (sampler kind "pbt") and of replaying a schedule it found
// (kind "pbt-replay"): their settings, and the rules across the spec that make a population work
// (every member evaluated at each round, only settings a resumed trial can change mutated).
import { z } from "zod";
import { fixedOnResumeReason } from "../../trial/resume-settings.ts";
import { contains, type ParamSpec, paramValueSchema, type SpaceIssue } from "../space.ts";
import type { StudySpec } from "../spec.ts";
import type { Params } from "../types.ts";

export const pbtSettingsSchema = z.strictObject({
  population: z
    .number()
    .int()
    .min(2)
    .meta({
      label: "Population",
      description:
        "Members trained side by side, one trial each: budget.trials must equal it. The first parameters of each are random.",
      examples: [8],
    }),
  perturbationInterval: z
    .number()
    .int()
    .min(1)
    .meta({
      label: "Perturbation interval (steps)",
      description:
        "A round every this many steps (before the last): each member waits there for the others, then the bottom quantile copies the top. A multiple of the evaluation interval (eval_every), below budget.stepsPerTrial.",
      examples: [50],
    }),
  quantileFraction: z
    .number()
    .gt(0)
    .max(0.5)
    .default(0.25)
    .describe(
      "At a round, the members in the bottom this fraction by their latest evaluation copy one of the top this fraction (Ray Tune's quantile_fraction: ⌈fraction × members⌉, at most half).",
    )
    .meta({ label: "Quantile fraction" }),
  resampleProbability: z
    .number()
    .min(0)
    .max(1)
    .default(0.25)
    .describe(
      "Chance that a mutated setting is drawn afresh from its search space rather than perturbed.",
    )
    .meta({ label: "Resample probability" }),
  perturbationFactors: z
    .array(z.number().positive())
    .min(1)
    .default([0.8, 1.2])
    .describe(
      "A perturbed number is multiplied by one of these, chosen at random, and kept within its bounds (a stepped one moves at least one step); a perturbed choice moves to a neighbouring one.",
    )
    .meta({ label: "Perturbation factors" }),
  mutations: z
    .array(z.string().min(1))
    .min(1, "name at least one searched setting to mutate")
    .meta({
      label: "Mutations",
      description:
        "The searched settings a round may change mid-training: only ones a resumed trial can take anew (the learning rate and its schedule, the optimizer's constants, grad_clip, dropout), never the architecture, the tokenizer, the batches or the evaluations. Other searched settings are drawn once and copied with the weights.",
      examples: [["lr", "weight_decay"]],
    }),
});
export type PbtSettings = z.output<typeof pbtSettingsSchema>;

const scheduleEntrySchema = z.strictObject({
  step: z
    .number()
    .int()
    .min(0)
    .meta({ description: "The step from which these parameters apply.", examples: [0] }),
  params: z.record(z.string(), paramValueSchema).meta({
    description:
      "Searched settings' values from this step on: all of them at step 0, later only those that change (a full set is fine too).",
    examples: [{ lr: 0.003 }],
  }),
});
export type ScheduleEntry = z.output<typeof scheduleEntrySchema>;

export const pbtReplaySettingsSchema = z.strictObject({
  schedule: z
    .array(scheduleEntrySchema)
    .min(1, "needs at least the parameters at step 0")
    .meta({
      label: "Schedule",
      description:
        "The parameters by step, as a PBT study's lineage gives them for a member (its first at step 0, then one per change, steps ascending). Each trial starts with the first and switches at each later step, from its own checkpoint.",
      examples: [
        [
          { step: 0, params: { lr: 0.01 } },
          { step: 100, params: { lr: 0.004 } },
        ],
      ],
    }),
});
export type PbtReplaySettings = z.output<typeof pbtReplaySettingsSchema>;

/** The steps between a trial's evaluations: its eval_every, or a tenth of its steps by default. */
function evaluationInterval(spec: StudySpec, steps: number): number {
  const fixed = spec.fixed.eval_every;
  return typeof fixed === "number" ? fixed : Math.max(1, Math.round(steps / 10));
}

/**
 * The rules across a population-based spec, at their fields: a round must fall on every member's
 * evaluation, and may change only settings a resumed trial can change.
 */
export function populationSpecIssues(spec: StudySpec): SpaceIssue[] {
  const { sampler } = spec;
  if (sampler.kind !== "pbt" && sampler.kind !== "pbt-replay") return [];
  const issues: SpaceIssue[] = [];
  const issue = (path: SpaceIssue["path"], message: string) => issues.push({ path, message });
  if (spec.pruner.kind !== "none") {
    issue(
      ["pruner", "kind"],
      `${sampler.kind} pauses and resumes its trials itself: leave the pruner out (kind none)`,
    );
  }
  if ("eval_every" in spec.searchSpace) {
    issue(
      ["searchSpace", "eval_every"],
      `${sampler.kind} changes parameters at evaluations, so every trial must evaluate at the same steps: put eval_every in fixed`,
    );
  }
  const steps = spec.budget.stepsPerTrial;
  if (steps === undefined) {
    issue(
      ["budget", "tokensPerTrial"],
      `${sampler.kind} changes parameters at steps that every trial shares: give budget.stepsPerTrial instead`,
    );
    return issues;
  }
  const evalEvery = evaluationInterval(spec, steps);
  const onEvaluation = (path: SpaceIssue["path"], what: string, step: number) => {
    if (step >= steps)
      issue(path, `${what} (${step}) must be below budget.stepsPerTrial (${steps})`);
    else if (step % evalEvery !== 0) {
      issue(
        path,
        `${what} (${step}) must be a multiple of the evaluation interval (eval_every ${evalEvery}), so that every trial is evaluated there`,
      );
    }
  };
  if (sampler.kind === "pbt") {
    if (spec.budget.trials !== sampler.population) {
      issue(
        ["budget", "trials"],
        `a PBT study trains its population, one trial per member: set budget.trials to ${sampler.population}`,
      );
    }
    onEvaluation(
      ["sampler", "perturbationInterval"],
      "perturbationInterval",
      sampler.perturbationInterval,
    );
    issues.push(...mutationIssues(spec, sampler.mutations));
    return issues;
  }
  let current: Params = {};
  sampler.schedule.forEach((entry, i) => {
    const path = ["sampler", "schedule", i];
    const previous = sampler.schedule[i - 1];
    if (i === 0 && entry.step !== 0) issue([...path, "step"], "the first entry must be at step 0");
    if (previous !== undefined && entry.step <= previous.step) {
      issue([...path, "step"], `steps must ascend: ${entry.step} follows ${previous.step}`);
    } else if (i > 0) onEvaluation([...path, "step"], "a schedule step", entry.step);
    issues.push(...entryIssues(spec, entry, path));
    for (const [name, value] of Object.entries(entry.params)) {
      const before = current[name];
      const reason = fixedOnResumeReason(name);
      if (i > 0 && before !== value && reason !== undefined) {
        issue(
          [...path, "params", name],
          `"${name}" changes from ${before ?? "its default"} to ${value}, but it cannot change mid-training: ${reason}`,
        );
      }
    }
    current = { ...current, ...entry.params };
  });
  return issues;
}

/** Mutations must be searched settings that a resumed trial can change, with no fixed dependents. */
function mutationIssues(spec: StudySpec, mutations: readonly string[]): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  mutations.forEach((name, i) => {
    const path = ["sampler", "mutations", i];
    const reason = fixedOnResumeReason(name);
    if (mutations.indexOf(name) !== i) issues.push({ path, message: `"${name}" is listed twice` });
    else if (!(name in spec.searchSpace)) {
      issues.push({ path, message: `"${name}" is not in the search space` });
    } else if (reason !== undefined) {
      issues.push({ path, message: `"${name}" cannot change mid-training: ${reason}` });
    }
  });
  for (const [name, param] of Object.entries(spec.searchSpace)) {
    const parent = Object.keys(param.when ?? {}).find((parent) => mutations.includes(parent));
    if (parent !== undefined && !mutations.includes(name)) {
      issues.push({
        path: ["searchSpace", name, "when"],
        message: `"${name}" depends on "${parent}", which PBT mutates, so it would change mid-training too: add it to sampler.mutations`,
      });
    }
  }
  return issues;
}

/** A schedule entry's parameters must be values of the searched settings. */
function entryIssues(
  spec: StudySpec,
  entry: ScheduleEntry,
  path: SpaceIssue["path"],
): SpaceIssue[] {
  return Object.entries(entry.params).flatMap(([name, value]): SpaceIssue[] => {
    const param: ParamSpec | undefined = spec.searchSpace[name];
    if (param === undefined) {
      return [{ path: [...path, "params", name], message: `"${name}" is not in the search space` }];
    }
    return contains(param, value)
      ? []
      : [
          {
            path: [...path, "params", name],
            message: `${JSON.stringify(value)} is not a value "${name}" can take in the search space`,
          },
        ];
  });
}
