// The search space: what each parameter may take and when it is active. Samplers see parameters
// through the helpers here (activity, parent-first order, the unit-interval mapping), so each
// algorithm handles bounds, steps, log scales and conditions the same way.
import { z } from "zod";
import type { Random } from "../random.ts";
import type { Params, ParamValue } from "./types.ts";

export const paramValueSchema = z.union([z.number(), z.string(), z.boolean()]);

/** Parent name → the values that activate the parameter; every listed parent must match. */
const conditionSchema = z
  .record(z.string(), z.array(paramValueSchema).min(1, "a condition needs at least one value"))
  .meta({
    description:
      "Makes the parameter conditional: it is sampled (and passed to the trainer) only when every parameter named here took one of the listed values. The parents must be in the search space, and the values ones they can take.",
    examples: [{ schedule: ["step"] }],
  });

const low = "The lowest value, inclusive; below high, and above 0 on a log scale.";
const high = "The highest value, inclusive.";
const log = "Sample on a log scale (uniform in log(value)): for rates and other scale-free values.";

const floatParamSchema = z
  .strictObject({
    type: z.literal("float"),
    low: z.number().meta({ description: low, examples: [0.0001] }),
    high: z.number().meta({ description: high, examples: [0.01] }),
    log: z.boolean().optional().describe(log),
    step: z
      .number()
      .positive()
      .optional()
      .meta({
        description:
          "Only values low + k·step (which must reach high in whole steps); not with log.",
        examples: [0.05],
      }),
    when: conditionSchema.optional(),
  })
  .meta({
    description: "A real number in [low, high], on a linear or log scale, or on a step grid.",
    examples: [{ type: "float", low: 0.0001, high: 0.01, log: true }],
  })
  .superRefine(reportIssues(rangeIssues));

const intParamSchema = z
  .strictObject({
    type: z.literal("int"),
    low: z
      .number()
      .int()
      .meta({ description: low, examples: [1] }),
    high: z
      .number()
      .int()
      .meta({ description: high, examples: [4] }),
    log: z.boolean().optional().describe(log),
    step: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({
        description:
          "Only values low + k·step (which must reach high in whole steps); not with log. Default 1.",
        examples: [16],
      }),
    when: conditionSchema.optional(),
  })
  .meta({
    description: "A whole number in [low, high], on a linear or log scale, or on a step grid.",
    examples: [{ type: "int", low: 32, high: 128, step: 32 }],
  })
  .superRefine(reportIssues(rangeIssues));

const categoricalParamSchema = z
  .strictObject({
    type: z.literal("categorical"),
    choices: z
      .array(paramValueSchema)
      .min(1, "needs at least one choice")
      .meta({
        description: "The values to choose from, without duplicates.",
        examples: [["cosine", "one-cycle"]],
      }),
    when: conditionSchema.optional(),
  })
  .meta({
    description: "One of a list of values (numbers, strings or booleans), unordered.",
    examples: [{ type: "categorical", choices: ["gelu", "relu"] }],
  })
  .superRefine(reportIssues(choiceIssues));

const fixedParamSchema = z
  .strictObject({
    type: z.literal("fixed"),
    value: paramValueSchema.meta({
      description: "The value the parameter always takes.",
      examples: [0.1],
    }),
    when: conditionSchema.optional(),
  })
  .meta({
    description:
      "One value, set only where its condition holds (a setting that is always the same belongs in fixed).",
    examples: [{ type: "fixed", value: 0.5, when: { schedule: ["step"] } }],
  });

export const paramSpecSchema = z.discriminatedUnion("type", [
  floatParamSchema,
  intParamSchema,
  categoricalParamSchema,
  fixedParamSchema,
]);

export type FloatParam = z.infer<typeof floatParamSchema>;
export type IntParam = z.infer<typeof intParamSchema>;
export type CategoricalParam = z.infer<typeof categoricalParamSchema>;
export type ParamSpec = z.infer<typeof paramSpecSchema>;
export type SearchSpace = Record<string, ParamSpec>;

/** A problem with a search space; the path starts at the parameter's name. */
export interface SpaceIssue {
  path: (string | number)[];
  message: string;
}

/** Each parameter's own checks run with its schema, the conditions once all parameters parsed. */
export const searchSpaceSchema = z
  .record(z.string().min(1), paramSpecSchema)
  .superRefine(reportIssues(conditionIssues))
  .meta({
    description:
      "The parameters the sampler chooses, by trainer setting name (see Trainer settings), each with its type and range. At least one.",
    examples: [{ lr: { type: "float", low: 0.0001, high: 0.01, log: true } }],
  });

function reportIssues<T>(check: (value: T) => SpaceIssue[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    for (const issue of check(value)) ctx.addIssue({ code: "custom", ...issue });
  };
}

/** Relative tolerance for "is on the step grid", so that 0.1 + 0.2 still counts as 0.3. */
const STEP_TOLERANCE = 1e-9;

/**
 * The problems zod's shapes cannot see: empty or inverted ranges, log scales through zero, steps
 * that do not divide the range, duplicate choices, and conditions on unknown parameters, on values
 * the parent never takes, or in a cycle.
 */
export function validateSearchSpace(space: SearchSpace): SpaceIssue[] {
  const own = Object.entries(space).flatMap(([name, param]) => {
    const issues =
      param.type === "float" || param.type === "int"
        ? rangeIssues(param)
        : param.type === "categorical"
          ? choiceIssues(param)
          : [];
    return issues.map((issue) => ({ ...issue, path: [name, ...issue.path] }));
  });
  return [...own, ...conditionIssues(space)];
}

function rangeIssues(param: FloatParam | IntParam): SpaceIssue[] {
  const { low, high, log, step } = param;
  if (low >= high) return [{ path: ["low"], message: `low (${low}) must be below high (${high})` }];
  const issues: SpaceIssue[] = [];
  if (log && low <= 0) {
    issues.push({ path: ["low"], message: `a log scale needs low > 0, got ${low}` });
  }
  if (log && step !== undefined) {
    issues.push({ path: ["step"], message: "a step cannot be combined with a log scale" });
  }
  if (step !== undefined) {
    const count = (high - low) / step;
    if (count < 1 || Math.abs(count - Math.round(count)) > STEP_TOLERANCE * count) {
      issues.push({
        path: ["step"],
        message: `step ${step} does not divide the range [${low}, ${high}] into whole steps (${Number(count.toPrecision(4))})`,
      });
    }
  }
  return issues;
}

function choiceIssues(param: CategoricalParam): SpaceIssue[] {
  const duplicates = param.choices.filter((choice, i) => param.choices.indexOf(choice) !== i);
  return [...new Set(duplicates)].map((choice) => ({
    path: ["choices"],
    message: `duplicate choice ${show(choice)}`,
  }));
}

/** Conditions on unknown parameters, on values the parent never takes, or in a cycle. */
function conditionIssues(space: SearchSpace): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  for (const [name, param] of Object.entries(space)) {
    for (const [parent, values] of Object.entries(param.when ?? {})) {
      const parentParam = space[parent];
      if (parentParam === undefined) {
        issues.push({
          path: [name, "when", parent],
          message: `condition on unknown parameter "${parent}"`,
        });
        continue;
      }
      for (const value of values.filter((value) => !contains(parentParam, value))) {
        issues.push({
          path: [name, "when", parent],
          message: `${show(value)} is not a value "${parent}" can take (${describe(parentParam)})`,
        });
      }
    }
  }
  const cycle = parentFirstOrder(space).cycle;
  if (cycle !== undefined) {
    issues.push({
      path: [cycle[0] ?? "", "when"],
      message: `conditions form a cycle: ${cycle.join(" → ")}`,
    });
  }
  return issues;
}

function show(value: ParamValue): string {
  return JSON.stringify(value);
}

function describe(param: ParamSpec): string {
  switch (param.type) {
    case "float":
    case "int":
      return `${param.type} in [${param.low}, ${param.high}]${param.step ? ` step ${param.step}` : ""}`;
    case "categorical":
      return `one of ${param.choices.map(show).join(", ")}`;
    case "fixed":
      return `fixed at ${show(param.value)}`;
  }
}

/**
 * Parameter names with every parent before its children, otherwise in declaration order; the
 * cycle, when conditions form one. Unknown parents are skipped (validation reports them).
 */
function parentFirstOrder(space: SearchSpace): { order: string[]; cycle?: string[] } {
  const order: string[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  let cycle: string[] | undefined;
  const visit = (name: string) => {
    if (done.has(name) || cycle !== undefined) return;
    const at = visiting.indexOf(name);
    if (at >= 0) {
      cycle = [...visiting.slice(at), name];
      return;
    }
    visiting.push(name);
    for (const parent of Object.keys(space[name]?.when ?? {})) {
      if (parent in space) visit(parent);
    }
    visiting.pop();
    done.add(name);
    order.push(name);
  };
  for (const name of Object.keys(space)) visit(name);
  return cycle === undefined ? { order } : { order, cycle };
}

/** Parameter names, parents before children; throws on a cycle. */
export function topologicalOrder(space: SearchSpace): string[] {
  const { order, cycle } = parentFirstOrder(space);
  if (cycle !== undefined) {
    throw new Error(`search space conditions form a cycle: ${cycle.join(" → ")}`);
  }
  return order;
}

/**
 * Whether a parameter is active given (possibly partial) params: each parent of its condition has
 * a value there, and one of the listed values. A parent not (yet) in params leaves it inactive.
 */
export function isActive(space: SearchSpace, name: string, params: Params): boolean {
  const param = space[name];
  if (param === undefined) throw new Error(`unknown parameter "${name}"`);
  return Object.entries(param.when ?? {}).every(([parent, values]) => {
    const value = params[parent];
    return value !== undefined && values.includes(value);
  });
}

/** The parameters active given params, parents first. */
export function activeParams(space: SearchSpace, params: Params): string[] {
  return topologicalOrder(space).filter((name) => isActive(space, name, params));
}

/**
 * Builds one configuration parent-first: every parameter that is active given the values chosen so
 * far gets the value `choose` returns, so inactive branches are never sampled.
 */
export function buildParams(
  space: SearchSpace,
  choose: (name: string, param: ParamSpec, params: Params) => ParamValue,
): Params {
  const params: Params = {};
  for (const name of topologicalOrder(space)) {
    const param = space[name] as ParamSpec;
    if (isActive(space, name, params)) params[name] = choose(name, param, params);
  }
  return params;
}

/** Whether a value is one the parameter can take: in range, on its step, among its choices. */
export function contains(param: ParamSpec, value: ParamValue): boolean {
  switch (param.type) {
    case "float":
    case "int": {
      if (typeof value !== "number" || !Number.isFinite(value)) return false;
      if (param.type === "int" && !Number.isInteger(value)) return false;
      if (value < param.low || value > param.high) return false;
      if (param.step === undefined) return true;
      const steps = (value - param.low) / param.step;
      return Math.abs(steps - Math.round(steps)) <= STEP_TOLERANCE * Math.max(1, steps);
    }
    case "categorical":
      return param.choices.includes(value);
    case "fixed":
      return value === param.value;
  }
}

/**
 * Whether params are a configuration of this space: exactly the active parameters, each with a
 * value it can take. Warm start keeps only such trials.
 */
export function fitsSpace(space: SearchSpace, params: Params): boolean {
  if (Object.keys(params).some((name) => !(name in space))) return false;
  return topologicalOrder(space).every((name) => {
    const value = params[name];
    if (!isActive(space, name, params)) return value === undefined;
    return value !== undefined && contains(space[name] as ParamSpec, value);
  });
}

/**
 * How many equal-width bins the parameter's unit interval has: one per value for ints on a linear
 * scale and floats with a step; undefined where the mapping is continuous.
 */
export function unitBins(param: ParamSpec): number | undefined {
  if (param.type === "categorical") return param.choices.length;
  if (param.type === "fixed") return 1;
  if (param.log) return undefined;
  const step = param.step ?? (param.type === "int" ? 1 : undefined);
  return step === undefined ? undefined : Math.round((param.high - param.low) / step) + 1;
}

/**
 * Maps the unit interval onto the parameter so that a uniform u gives the parameter's own uniform
 * distribution: linear or log-linear for floats, one equal-width bin per value for stepped
 * parameters and choices, and log-scale ints on [low - 0.5, high + 0.5] rounded (as Optuna).
 * Sobol, TPE and NSGA-II work in this interval.
 */
export function fromUnit(param: ParamSpec, u: number): ParamValue {
  const bins = unitBins(param);
  const bin = bins === undefined ? 0 : Math.min(bins - 1, Math.floor(u * bins));
  switch (param.type) {
    case "categorical":
      return param.choices[bin] as ParamValue;
    case "fixed":
      return param.value;
    case "float":
    case "int": {
      if (bins !== undefined) return onStep(param, bin);
      if (!param.log) return param.low + u * (param.high - param.low);
      const [low, high] = logBounds(param);
      const value = Math.exp(low + u * (high - low));
      const rounded = param.type === "int" ? Math.round(value) : value;
      return Math.min(param.high, Math.max(param.low, rounded));
    }
  }
}

/** The inverse of fromUnit: the centre of the value's bin, or its position on the scale. */
export function toUnit(param: ParamSpec, value: ParamValue): number {
  const bins = unitBins(param);
  switch (param.type) {
    case "categorical":
      return (param.choices.indexOf(value) + 0.5) / (bins as number);
    case "fixed":
      return 0.5;
    case "float":
    case "int": {
      const x = value as number;
      if (bins !== undefined) {
        const step = param.step ?? 1;
        return (Math.round((x - param.low) / step) + 0.5) / bins;
      }
      if (!param.log) return (x - param.low) / (param.high - param.low);
      const [low, high] = logBounds(param);
      return (Math.log(x) - low) / (high - low);
    }
  }
}

/** The k-th value on the parameter's step grid, rid of floating-point noise (0.1 * 3). */
function onStep(param: FloatParam | IntParam, k: number): number {
  const step = param.step ?? 1;
  return Math.min(param.high, Number.parseFloat((param.low + k * step).toPrecision(12)));
}

/** Bounds on the natural-log scale, widened by half a value for ints so each gets its share. */
function logBounds(param: FloatParam | IntParam): [number, number] {
  const pad = param.type === "int" ? 0.5 : 0;
  return [Math.log(param.low - pad), Math.log(param.high + pad)];
}

/** One value drawn from the parameter's own distribution (uniform, log-uniform, or a choice). */
export function sampleUniform(param: ParamSpec, random: Random): ParamValue {
  return fromUnit(param, random.next());
}

/** A canonical key of a configuration, equal for equal params whatever their key order. */
export function paramsKey(params: Params): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((name) => [name, params[name]]),
  );
}
