// A study's specification, written by a user as YAML or JSON: what to train, what to optimise,
// over which space, with which sampler and pruner, within which budget. Every field is checked
// and an unknown one is an error, so a typo never silently falls back to a default.
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { baseModelSpecIssues } from "./base-model-spec.ts";
import { EXPRESSION_MAX_LENGTH } from "./constraints/expression.ts";
import { constraintIssues } from "./constraints/study-constraints.ts";
import { objectiveFits, suitsObjectives } from "./field-meta.ts";
import { limitNote } from "./limits.ts";
import { displayNameSchema, NAME_MAX_LENGTH } from "./names.ts";
import { populationSpecIssues } from "./pbt/settings.ts";
import { prunerSpecSchema } from "./pruner-spec.ts";
import { gridValueCount } from "./samplers/grid.ts";
import { samplerSpecSchema } from "./samplers/index.ts";
import { paramValueSchema, searchSpaceSchema } from "./space.ts";

export const objectiveSchema = z.strictObject({
  metric: z
    .string()
    .min(1)
    .meta({
      description:
        "A metric that trials report at evaluations or at the end: val_loss, val_perplexity, val_accuracy (classification), tokens_per_s, param_count or flops_per_token; for instruction and dialogue, the scores of the completions generated at evaluations: exact_match, token_f1, rouge1, rouge2, rougeL, bleu, chrf, chrf_pp, and accuracy or macro_f1 where the completions are labels.",
      examples: ["val_loss"],
    }),
  direction: z
    .enum(["minimize", "maximize"])
    .describe("Whether lower (minimize) or higher (maximize) values of the metric are better."),
});
export type Objective = z.output<typeof objectiveSchema>;

/** A random seed: any 32-bit unsigned integer. */
export const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .meta({
    description:
      "Seeds the sampler and every trial's weights, batches and dropout, so that a study can be repeated. Absent: the study draws one when it is created and stores it.",
    examples: [7],
  });

const budgetSchema = z
  .strictObject({
    trials: z
      .number()
      .int()
      .min(1)
      .meta({
        description: `Trials the study creates in all (fewer when a grid runs out of points or the wall time is spent). Its limit: ${limitNote("trials")}.`,
        examples: [20],
      }),
    parallelTrials: z
      .number()
      .int()
      .min(1)
      .default(1)
      .meta({
        description: `Trials queued or training at once, across all runners. Its limit: ${limitNote("parallelTrials")}.`,
        examples: [2],
      }),
    stepsPerTrial: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({
        description: `The length of a full trial in optimizer steps. Give exactly one of stepsPerTrial and tokensPerTrial. Its limit: ${limitNote("stepsPerTrial")}.`,
        examples: [200],
      }),
    tokensPerTrial: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({
        description: `The length of a full trial in training tokens (steps = tokens / (batch_size × seq_len × accumulation_steps), rounded up), so that trials with different batch shapes see the same data. Give exactly one of stepsPerTrial and tokensPerTrial. Its limit: ${limitNote("tokensPerTrial")}.`,
        examples: [500000],
      }),
    wallTimeMinutes: z
      .number()
      .positive()
      .optional()
      .meta({
        description:
          "After this many minutes from the study's start no new trial is started; the running ones finish, then the study completes.",
        examples: [60],
      }),
  })
  .superRefine((budget, ctx) => {
    if ((budget.stepsPerTrial === undefined) === (budget.tokensPerTrial === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["stepsPerTrial"],
        message: "give exactly one of stepsPerTrial and tokensPerTrial",
      });
    }
  })
  .meta({
    description:
      "How many trials, how many at once, how long each trains, and an optional time limit.",
    examples: [{ trials: 20, parallelTrials: 2, stepsPerTrial: 200 }],
  });

// Which samplers and pruners take one objective, and which several: their schemas say so.
const samplerFits = objectiveFits(samplerSpecSchema.options);
const prunerFits = objectiveFits(prunerSpecSchema.options);

/** Constraints a spec may have: each is checked for every draw of every trial. */
const CONSTRAINTS_MAX = 32;

export const studySpecSchema = z
  .strictObject({
    name: displayNameSchema.meta({
      description: `The study's name, shown in the web app: one line of at most ${NAME_MAX_LENGTH} characters.`,
      examples: ["lr-and-width"],
    }),
    task: z
      .enum(["language-modelling", "classification", "instruction", "dialogue"])
      .describe(
        "language-modelling: predict the next token of the dataset's text; classification: predict each sample's label (a dataset with labels); instruction: write each prompt's completion (a prompt/completion or chat dataset; summarisation, translation, question answering), trained on the completion only; dialogue: write the assistant's turns of each conversation (a chat dataset). Instruction and dialogue trials also generate completions for validation prompts at each evaluation and score them.",
      ),
    dataset: z
      .string()
      .min(1)
      .meta({
        description:
          "A dataset of the study's project, by name or id; a built-in corpus added to the project is named after it unless given another name (moby-dick, sotu, spam-assassin).",
        examples: ["moby-dick"],
      }),
    model: z
      .string()
      .min(1)
      .optional()
      .meta({
        description:
          "A model of the study's project, by name or id, that every trial starts from instead of random weights (an uploaded Hugging Face checkpoint, or a trial's promoted to a model): its architecture and tokenizer are the trials', so the spec sets neither; finetune (full, lora or freeze) chooses what trains. Absent: trials train from scratch.",
        examples: ["gpt2-small"],
      }),
    objectives: z
      .array(objectiveSchema)
      .min(1, "needs at least one objective")
      .meta({
        description:
          "What the study optimises. With several objectives it searches for the Pareto front (use the nsga2 sampler, and the multi-objective pruner if any); the best trial is the front's best on the first.",
        examples: [[{ metric: "val_loss", direction: "minimize" }]],
      }),
    fixed: z
      .record(z.string(), paramValueSchema)
      .default({})
      .meta({
        description: `Trainer settings every trial shares (see Trainer settings), passed to the trainer with the sampled parameters; a setting may not be both fixed and in the search space. Settings in neither take their defaults. A trial whose model is beyond the deployment's limits is refused before it is queued, and a spec whose smallest trial is, when it is written: ${limitNote("modelParameters")} parameters, and ${limitNote("trialMemoryGiB")} GiB of estimated memory per trial.`,
        examples: [{ d_model: 64, layers: 2, batch_size: 16 }],
      }),
    searchSpace: searchSpaceSchema,
    constraints: z
      .array(z.string().trim().min(1).max(EXPRESSION_MAX_LENGTH))
      .max(CONSTRAINTS_MAX)
      .default([])
      .meta({
        description: `Conditions every trial must meet, each one comparison of two arithmetic expressions over settings and measured values (see Constraints); at most ${CONSTRAINTS_MAX}.`,
        examples: [
          ["d_model % heads == 0", "batch_size * seq_len <= 65536", "param_count <= 20e6"],
        ],
      }),
    sampler: samplerSpecSchema,
    pruner: prunerSpecSchema.default({ kind: "none" }).meta({
      description:
        "Stops unpromising trials early, judging the objectives' values at evaluations (every eval_every steps). Absent: no pruning.",
      examples: [{ kind: "median", startupTrials: 3 }],
    }),
    budget: budgetSchema,
    /** Absent: the study draws one when it is created and stores it. */
    seed: seedSchema.optional(),
    warmStart: z
      .strictObject({
        studyId: z.uuid().meta({
          description: "The id of an earlier study of the same team.",
          examples: ["0b9f6c1e-3c1a-4f57-9a59-1f4f3f0c2d7e"],
        }),
      })
      .optional()
      .meta({
        description:
          "Seed the sampler with the completed trials of an earlier study whose parameters fit this search space: TPE and NSGA-II model them, the grid skips their points.",
        examples: [{ studyId: "0b9f6c1e-3c1a-4f57-9a59-1f4f3f0c2d7e" }],
      }),
  })
  .superRefine((spec, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const metrics = new Set<string>();
    spec.objectives.forEach(({ metric }, i) => {
      if (metrics.has(metric)) issue(["objectives", i, "metric"], `"${metric}" is listed twice`);
      metrics.add(metric);
    });
    for (const name of Object.keys(spec.fixed)) {
      if (name in spec.searchSpace) {
        issue(["fixed", name], `"${name}" is both fixed and in the search space`);
      }
    }
    for (const { index, message } of constraintIssues(spec)) issue(["constraints", index], message);
    if (Object.keys(spec.searchSpace).length === 0) {
      issue(["searchSpace"], "needs at least one parameter");
    }
    const objectives = spec.objectives.length;
    const samplerFit = samplerFits.get(spec.sampler.kind) ?? "any";
    if (!suitsObjectives(samplerFit, objectives)) {
      issue(
        ["sampler", "kind"],
        `${spec.sampler.kind} optimises one objective, the study has ${objectives}; use nsga2`,
      );
    }
    const prunerFit = prunerFits.get(spec.pruner.kind) ?? "any";
    if (!suitsObjectives(prunerFit, objectives)) {
      issue(
        ["pruner", "kind"],
        prunerFit === "one"
          ? `${spec.pruner.kind} prunes on one objective, the study has ${objectives}; use multi-objective`
          : `${spec.pruner.kind} needs several objectives; use median or asha`,
      );
    }
    if (spec.sampler.kind === "bohb" && spec.pruner.kind !== "hyperband") {
      issue(
        ["pruner", "kind"],
        `the bohb sampler needs the hyperband pruner, whose rungs are its budgets, not ${spec.pruner.kind}: pruner: { kind: hyperband, minResource, maxResource }`,
      );
    }
    if (spec.sampler.kind === "grid") {
      for (const [name, param] of Object.entries(spec.searchSpace)) {
        try {
          gridValueCount(name, param, spec.sampler.gridPoints);
        } catch (error) {
          issue(["searchSpace", name], (error as Error).message);
        }
      }
    }
    for (const { path, message } of populationSpecIssues(spec)) issue(path, message);
    for (const { path, message } of baseModelSpecIssues(spec)) issue(path, message);
  });

export type StudySpec = z.output<typeof studySpecSchema>;
export type StudySpecInput = z.input<typeof studySpecSchema>;

export interface SpecError {
  /** The field, e.g. `searchSpace.lr.low` or `objectives[0].direction`; empty for the whole spec. */
  path: string;
  message: string;
  /** 1-based line in the YAML or JSON text, where the field (or its nearest parent) is. */
  line?: number;
}

export type SpecResult = { ok: true; spec: StudySpec } | { ok: false; errors: SpecError[] };

/** Parses and validates a spec written as YAML or JSON (JSON is read as YAML, for line numbers). */
export function parseStudySpec(text: string): SpecResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => ({
        path: "",
        message: error.message,
        line: lineCounter.linePos(error.pos[0]).line,
      })),
    };
  }
  const located = (path: (string | number)[]) => {
    const offset = offsetOf(document.contents, path);
    return offset === undefined ? {} : { line: lineCounter.linePos(offset).line };
  };
  let data: unknown;
  try {
    // Refuses aliases that expand beyond reason (a "billion laughs" spec) among other things.
    data = document.toJS();
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: "", message: `unreadable YAML: ${(error as Error).message}` }],
    };
  }
  return checkSpec(data, located);
}

/** Validates a spec that is already an object (the JSON an API received, or a stored one). */
export function validateStudySpec(data: unknown): SpecResult {
  return checkSpec(data, () => ({}));
}

function checkSpec(
  data: unknown,
  located: (path: (string | number)[]) => { line?: number },
): SpecResult {
  const result = studySpecSchema.safeParse(data, {
    error: (issue) =>
      issue.code === "invalid_type" && issue.input === undefined
        ? `required (${issue.expected})`
        : undefined,
  });
  if (result.success) return { ok: true, spec: result.data };
  const errors = result.error.issues.flatMap((issue) => {
    const path = issue.path.filter((key) => typeof key !== "symbol");
    // One error per unknown field, at the field itself.
    const found =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ path: [...path, key], message: "unknown field" }))
        : [{ path, message: issue.message }];
    return found.map((error) => ({
      path: formatPath(error.path),
      message: error.message,
      ...located(error.path),
    }));
  });
  return { ok: false, errors };
}

/** `searchSpace.lr.low`, `objectives[0].metric`. */
function formatPath(path: (string | number)[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`))
    .join("");
}

/** Where the deepest existing node along the path starts: the key of a map entry, or an item. */
function offsetOf(root: unknown, path: (string | number)[]): number | undefined {
  let node = root;
  let offset = startOf(node);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(key),
      );
      if (pair === undefined) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key];
      offset = startOf(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}
