// The new-study form and the spec text it stands for, as pure conversions: form state → spec object
// → YAML or JSON, and back from text to the form where the form can show the spec. The form keeps
// every value as the text of its input, so a half-typed number never turns into something else;
// converting writes a number wherever the text is one, and the text itself otherwise, which the
// API's validation then reports at that field.
//
// Only type imports from @attune/core here apart from the LR range test's arithmetic: the trainer's
// settings module pulls TensorFlow.js, so the catalogue below repeats its names (a test checks them).
import type { ImportedSweep } from "@attune/core/tuning/wandb";
import {
  isMap,
  isSeq,
  parse as parseYaml,
  visit as visitYaml,
  Document as YamlDocument,
} from "yaml";

// ---- The catalogue of training settings ----------------------------------------------------------

export type ValueKind = "float" | "int" | "enum" | "bool";
export type SettingGroup = "training" | "schedule" | "architecture" | "budget" | "more";
export type ScheduleKind = "constant" | "step" | "exponential" | "cosine" | "one-cycle";

export interface SettingDefinition {
  /** The setting's name in a spec (snake_case, as trial/settings.ts). */
  name: string;
  label: string;
  kind: ValueKind;
  options?: readonly string[];
  /** What the trainer uses when the spec leaves the setting out. */
  defaultText: string;
  group: SettingGroup;
  /** Schedule settings: the schedules that read it. */
  schedules?: readonly ScheduleKind[];
  /** A range is searched on a log scale by default (learning rates, tiny constants). */
  logByDefault?: boolean;
  hint?: string;
}

export const SCHEDULE_KINDS: readonly ScheduleKind[] = [
  "constant",
  "step",
  "exponential",
  "cosine",
  "one-cycle",
];

/** Every training setting a spec may fix or search, in the order the form shows them. */
export const SETTINGS: readonly SettingDefinition[] = [
  // Training
  {
    name: "lr",
    label: "Learning rate",
    kind: "float",
    defaultText: "0.001",
    group: "training",
    logByDefault: true,
    hint: "Peak learning rate; search it on a log scale.",
  },
  {
    name: "batch_size",
    label: "Batch size",
    kind: "int",
    defaultText: "16",
    group: "training",
    hint: "Sequences per microbatch.",
  },
  {
    name: "schedule",
    label: "Schedule",
    kind: "enum",
    options: SCHEDULE_KINDS,
    defaultText: "cosine",
    group: "training",
  },
  {
    name: "warmup_steps",
    label: "Warm-up steps",
    kind: "int",
    defaultText: "0",
    group: "schedule",
    hint: "Linear warm-up from 0, before the schedule starts.",
  },
  {
    name: "step_size",
    label: "Step size",
    kind: "int",
    defaultText: "a third of the steps",
    group: "schedule",
    schedules: ["step"],
    hint: "step: multiply the rate by the step factor every this many steps.",
  },
  {
    name: "step_gamma",
    label: "Step factor",
    kind: "float",
    defaultText: "0.1",
    group: "schedule",
    schedules: ["step"],
    hint: "step: the factor each drop multiplies by (0–1].",
  },
  {
    name: "decay_rate",
    label: "Decay rate",
    kind: "float",
    defaultText: "0.1",
    group: "schedule",
    schedules: ["exponential"],
    hint: "exponential: the factor over the decay steps (0–1].",
  },
  {
    name: "decay_steps",
    label: "Decay steps",
    kind: "int",
    defaultText: "the steps after warm-up",
    group: "schedule",
    schedules: ["exponential", "cosine"],
  },
  {
    name: "staircase",
    label: "Staircase",
    kind: "bool",
    defaultText: "false",
    group: "schedule",
    schedules: ["exponential"],
    hint: "exponential: decay in whole periods.",
  },
  {
    name: "min_lr",
    label: "Minimum LR",
    kind: "float",
    defaultText: "0",
    group: "schedule",
    schedules: ["cosine"],
    hint: "cosine: the rate at the end of the decay.",
  },
  {
    name: "pct_start",
    label: "Rising share",
    kind: "float",
    defaultText: "0.3",
    group: "schedule",
    schedules: ["one-cycle"],
    hint: "one-cycle: share of the steps spent rising.",
  },
  {
    name: "div_factor",
    label: "Start divisor",
    kind: "float",
    defaultText: "25",
    group: "schedule",
    schedules: ["one-cycle"],
  },
  {
    name: "final_div_factor",
    label: "Final divisor",
    kind: "float",
    defaultText: "10000",
    group: "schedule",
    schedules: ["one-cycle"],
  },
  // Architecture
  {
    name: "seq_len",
    label: "Sequence length",
    kind: "int",
    defaultText: "64",
    group: "architecture",
    hint: "Context length in tokens.",
  },
  { name: "layers", label: "Layers", kind: "int", defaultText: "2", group: "architecture" },
  {
    name: "d_model",
    label: "Width (d_model)",
    kind: "int",
    defaultText: "128",
    group: "architecture",
  },
  {
    name: "heads",
    label: "Heads",
    kind: "int",
    defaultText: "4",
    group: "architecture",
    hint: "Must divide d_model.",
  },
  {
    name: "kv_heads",
    label: "Attention",
    kind: "int",
    defaultText: "heads (multi-head)",
    group: "architecture",
    hint: "Key/value heads: 1 is multi-query, between 1 and heads grouped-query; must divide heads.",
  },
  {
    name: "norm",
    label: "Norm placement",
    kind: "enum",
    options: ["pre", "post"],
    defaultText: "pre",
    group: "architecture",
  },
  // Budget
  {
    name: "eval_every",
    label: "Evaluate every",
    kind: "int",
    defaultText: "a tenth of the steps",
    group: "budget",
    hint: "Steps between evaluations (and one at the end).",
  },
  // More settings
  {
    name: "optimizer",
    label: "Optimizer",
    kind: "enum",
    options: ["adam", "adamw", "sgd"],
    defaultText: "adamw",
    group: "more",
  },
  {
    name: "weight_decay",
    label: "Weight decay",
    kind: "float",
    defaultText: "0.01",
    group: "more",
    hint: "AdamW only.",
  },
  { name: "beta1", label: "β₁", kind: "float", defaultText: "0.9", group: "more" },
  { name: "beta2", label: "β₂", kind: "float", defaultText: "0.999", group: "more" },
  {
    name: "epsilon",
    label: "ε",
    kind: "float",
    defaultText: "1e-8",
    group: "more",
    logByDefault: true,
  },
  {
    name: "momentum",
    label: "Momentum",
    kind: "float",
    defaultText: "0.9",
    group: "more",
    hint: "SGD only.",
  },
  {
    name: "grad_clip",
    label: "Gradient clip",
    kind: "float",
    defaultText: "1",
    group: "more",
    hint: "Global L2 norm; 0 turns clipping off.",
  },
  {
    name: "accumulation_steps",
    label: "Accumulation steps",
    kind: "int",
    defaultText: "1",
    group: "more",
  },
  { name: "dropout", label: "Dropout", kind: "float", defaultText: "0", group: "more" },
  { name: "mlp_ratio", label: "MLP ratio", kind: "float", defaultText: "4", group: "more" },
  {
    name: "activation",
    label: "Activation",
    kind: "enum",
    options: ["relu", "gelu"],
    defaultText: "gelu",
    group: "more",
  },
  {
    name: "positions",
    label: "Positions",
    kind: "enum",
    options: ["learned", "sinusoidal", "rotary"],
    defaultText: "learned",
    group: "more",
  },
  {
    name: "tie_embeddings",
    label: "Tie embeddings",
    kind: "bool",
    defaultText: "true",
    group: "more",
  },
  {
    name: "tokenizer",
    label: "Tokenizer",
    kind: "enum",
    options: ["char", "byte", "gpt2"],
    defaultText: "char",
    group: "more",
  },
  {
    name: "eval_windows",
    label: "Evaluation windows",
    kind: "int",
    defaultText: "128",
    group: "more",
  },
  {
    name: "validation_fraction",
    label: "Validation share",
    kind: "float",
    defaultText: "0.1",
    group: "more",
  },
];

const SETTING_BY_NAME = new Map(SETTINGS.map((setting) => [setting.name, setting]));

export function settingDefinition(name: string): SettingDefinition | undefined {
  return SETTING_BY_NAME.get(name);
}

// ---- Objectives, samplers, pruners ---------------------------------------------------------------

/** The metrics a study may optimise (trial/metrics.ts), with the direction that is better. */
export const OBJECTIVE_METRICS: readonly {
  metric: string;
  label: string;
  direction: Direction;
  classificationOnly?: boolean;
}[] = [
  { metric: "val_loss", label: "Validation loss", direction: "minimize" },
  { metric: "val_perplexity", label: "Validation perplexity", direction: "minimize" },
  {
    metric: "val_accuracy",
    label: "Validation accuracy",
    direction: "maximize",
    classificationOnly: true,
  },
  { metric: "tokens_per_s", label: "Tokens per second", direction: "maximize" },
  { metric: "param_count", label: "Parameter count", direction: "minimize" },
  { metric: "flops_per_token", label: "FLOPs per token", direction: "minimize" },
];

export type Direction = "minimize" | "maximize";
export type Task = "language-modelling" | "classification";

/** A setting of a sampler or pruner: blank in the form leaves it out, so its default applies. */
export interface OptionField {
  key: string;
  label: string;
  kind: ValueKind;
  options?: readonly string[];
  /** The default, shown as the input's placeholder; absent where the field is required. */
  defaultText?: string;
  required?: boolean;
  hint?: string;
}

export type SamplerKind = "random" | "grid" | "sobol" | "tpe" | "nsga2";
export type PrunerKind = "none" | "median" | "multi-objective" | "asha" | "hyperband" | "threshold";

export const SAMPLERS: Record<SamplerKind, { label: string; fields: readonly OptionField[] }> = {
  random: { label: "Random", fields: [] },
  grid: {
    label: "Grid",
    fields: [
      {
        key: "gridPoints",
        label: "Grid points",
        kind: "int",
        defaultText: "required for continuous ranges",
        hint: "Points across a range without a step (evenly spaced on its scale).",
      },
    ],
  },
  sobol: {
    label: "Sobol (quasi-random)",
    fields: [{ key: "scramble", label: "Scramble", kind: "bool", defaultText: "true" }],
  },
  tpe: {
    label: "TPE (Bayesian)",
    fields: [
      {
        key: "startupTrials",
        label: "Random trials first",
        kind: "int",
        defaultText: "10",
      },
      { key: "eiCandidates", label: "EI candidates", kind: "int", defaultText: "24" },
      { key: "goodFraction", label: "Good fraction", kind: "float", defaultText: "0.1" },
      { key: "maxGoodTrials", label: "Max good trials", kind: "int", defaultText: "25" },
      { key: "priorWeight", label: "Prior weight", kind: "float", defaultText: "1" },
      { key: "multivariate", label: "Multivariate", kind: "bool", defaultText: "false" },
      { key: "constantLiar", label: "Constant liar", kind: "bool", defaultText: "true" },
    ],
  },
  nsga2: {
    label: "NSGA-II (evolutionary, multi-objective)",
    fields: [
      { key: "populationSize", label: "Population", kind: "int", defaultText: "50" },
      {
        key: "crossover",
        label: "Crossover",
        kind: "enum",
        options: ["sbx", "uniform"],
        defaultText: "sbx",
      },
      {
        key: "crossoverProbability",
        label: "Crossover probability",
        kind: "float",
        defaultText: "0.9",
      },
      {
        key: "mutationProbability",
        label: "Mutation probability",
        kind: "float",
        defaultText: "1 / parameters",
      },
      { key: "sbxEta", label: "SBX η", kind: "float", defaultText: "20" },
    ],
  },
};

const checkSchedule: readonly OptionField[] = [
  {
    key: "startupTrials",
    label: "Completed trials first",
    kind: "int",
    defaultText: "5",
  },
  { key: "warmupSteps", label: "No pruning before step", kind: "int", defaultText: "0" },
  { key: "intervalSteps", label: "Check every (steps)", kind: "int", defaultText: "1" },
];
const rungs: readonly OptionField[] = [
  { key: "minResource", label: "Min steps", kind: "int", required: true },
  { key: "maxResource", label: "Max steps", kind: "int", required: true },
  { key: "reductionFactor", label: "Reduction factor η", kind: "float", defaultText: "3" },
];

export const PRUNERS: Record<
  PrunerKind,
  { label: string; fields: readonly OptionField[]; objectives: "one" | "several" | "any" }
> = {
  none: { label: "None", fields: [], objectives: "any" },
  median: { label: "Median", fields: checkSchedule, objectives: "one" },
  "multi-objective": {
    label: "Multi-objective (dominated)",
    fields: [
      ...checkSchedule,
      { key: "dominatedBy", label: "Dominated by at least", kind: "int", defaultText: "1" },
    ],
    objectives: "several",
  },
  asha: {
    label: "ASHA",
    fields: [
      ...rungs,
      {
        key: "mode",
        label: "Mode",
        kind: "enum",
        options: ["pause", "prune"],
        defaultText: "pause",
        hint: "pause keeps a trial's checkpoint so a promotion resumes it.",
      },
    ],
    objectives: "one",
  },
  hyperband: { label: "Hyperband", fields: rungs, objectives: "one" },
  threshold: {
    label: "Threshold",
    fields: [
      { key: "lower", label: "Prune below", kind: "float" },
      { key: "upper", label: "Prune above", kind: "float" },
      { key: "patience", label: "Patience (reports)", kind: "int" },
      { key: "minDelta", label: "Min improvement", kind: "float", defaultText: "0" },
    ],
    objectives: "any",
  },
};

/** The pruners that suit a study with this many objectives. */
export function prunersFor(objectiveCount: number): PrunerKind[] {
  return (Object.keys(PRUNERS) as PrunerKind[]).filter((kind) => {
    const fits = PRUNERS[kind].objectives;
    return fits === "any" || (fits === "one") === objectiveCount <= 1;
  });
}

/** The samplers that suit a study with this many objectives (TPE optimises one). */
export function samplersFor(objectiveCount: number): SamplerKind[] {
  return (Object.keys(SAMPLERS) as SamplerKind[]).filter(
    (kind) => kind !== "tpe" || objectiveCount <= 1,
  );
}

// ---- Form state ----------------------------------------------------------------------------------

/** How a setting enters the spec: left out, one value for every trial, or searched. */
export type ParamMode = "default" | "fixed" | "range" | "choices";

/** One row of the form: every mode's inputs are kept, so switching modes loses nothing. */
export interface ParamRow {
  mode: ParamMode;
  value: string;
  low: string;
  high: string;
  log: boolean;
  step: string;
  /** Comma-separated. */
  choices: string;
}

export interface StudyForm {
  name: string;
  task: Task;
  dataset: string;
  objectives: { metric: string; direction: Direction }[];
  /** One row per entry of SETTINGS. */
  settings: Record<string, ParamRow>;
  sampler: SamplerKind;
  /** Per sampler kind, its fields' texts (switching kinds keeps them). */
  samplerSettings: Record<SamplerKind, Record<string, string>>;
  pruner: PrunerKind;
  prunerSettings: Record<PrunerKind, Record<string, string>>;
  budget: {
    trials: string;
    parallelTrials: string;
    unit: "steps" | "tokens";
    length: string;
    wallTimeMinutes: string;
  };
  /** Blank: the study draws one when it is created. */
  seed: string;
}

/** A JSON value as specs hold it. */
export type SpecObject = Record<string, unknown>;

function row(partial: Partial<ParamRow> = {}): ParamRow {
  return {
    mode: "default",
    value: "",
    low: "",
    high: "",
    log: false,
    step: "",
    choices: "",
    ...partial,
  };
}

/** The inputs a row offers before the user or a spec fills them: its default in every mode. */
function blankRow(setting: SettingDefinition): ParamRow {
  const numeric = setting.kind === "int" || setting.kind === "float";
  const value = numeric && !/^[\d.e+-]+$/.test(setting.defaultText) ? "" : setting.defaultText;
  return row({
    value,
    log: setting.logByDefault ?? false,
    choices: setting.options?.join(", ") ?? (setting.kind === "bool" ? "true, false" : ""),
  });
}

function emptyOptions<K extends string>(kinds: readonly K[]): Record<K, Record<string, string>> {
  return Object.fromEntries(kinds.map((kind) => [kind, {}])) as Record<K, Record<string, string>>;
}

/**
 * A small, fast study: the learning rate log-uniform over two decades, two batch sizes and two
 * depths at a modest width, TPE after a few random trials, median pruning, 8 trials of 200 steps,
 * two at a time.
 */
export function defaultStudyForm(
  options: { name?: string; dataset?: string; task?: Task } = {},
): StudyForm {
  const settings = Object.fromEntries(SETTINGS.map((setting) => [setting.name, blankRow(setting)]));
  const set = (name: string, partial: Partial<ParamRow>) => {
    settings[name] = { ...(settings[name] as ParamRow), ...partial };
  };
  set("lr", { mode: "range", low: "0.0001", high: "0.01", log: true });
  set("batch_size", { mode: "choices", choices: "16, 32" });
  set("schedule", { mode: "fixed", value: "cosine" });
  set("warmup_steps", { mode: "fixed", value: "20" });
  set("seq_len", { mode: "fixed", value: "64", choices: "64, 128" });
  set("layers", { mode: "choices", choices: "2, 3", low: "1", high: "4" });
  set("d_model", { mode: "fixed", value: "128", choices: "64, 128" });
  set("heads", { mode: "fixed", value: "4", choices: "2, 4" });
  set("kv_heads", { value: "2", choices: "1, 2, 4" });
  set("eval_every", { mode: "fixed", value: "50" });
  const samplerSettings = emptyOptions(Object.keys(SAMPLERS) as SamplerKind[]);
  samplerSettings.tpe = { startupTrials: "4" };
  samplerSettings.grid = { gridPoints: "3" };
  const prunerSettings = emptyOptions(Object.keys(PRUNERS) as PrunerKind[]);
  prunerSettings.median = { startupTrials: "3", warmupSteps: "50" };
  prunerSettings["multi-objective"] = { startupTrials: "3", warmupSteps: "50" };
  prunerSettings.asha = { minResource: "50", maxResource: "200" };
  prunerSettings.hyperband = { minResource: "50", maxResource: "200" };
  prunerSettings.threshold = { upper: "10" };
  return {
    name: options.name ?? "small-lm-study",
    task: options.task ?? "language-modelling",
    dataset: options.dataset ?? "",
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    settings,
    sampler: "tpe",
    samplerSettings,
    pruner: "median",
    prunerSettings,
    budget: {
      trials: "8",
      parallelTrials: "2",
      unit: "steps",
      length: "200",
      wallTimeMinutes: "",
    },
    seed: "",
  };
}

// ---- Form → spec ---------------------------------------------------------------------------------

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The value an input's text stands for: a number or boolean where it reads as one. */
export function parseValue(text: string, kind: ValueKind | "any"): unknown {
  const trimmed = text.trim();
  if (kind === "enum") return trimmed;
  if (kind === "bool") return trimmed === "true" ? true : trimmed === "false" ? false : trimmed;
  if (NUMBER_TEXT.test(trimmed)) return Number(trimmed);
  if (kind === "any" && (trimmed === "true" || trimmed === "false")) return trimmed === "true";
  return trimmed;
}

/** A comma-separated list of values; blank items are dropped. */
export function parseChoices(text: string, kind: ValueKind): unknown[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => parseValue(item, kind));
}

/** The schedules trials may train with: the fixed one, the searched ones, or the default. */
export function activeSchedules(form: StudyForm): ScheduleKind[] {
  const schedule = form.settings.schedule as ParamRow;
  const named =
    schedule.mode === "fixed"
      ? [schedule.value.trim()]
      : schedule.mode === "choices"
        ? parseChoices(schedule.choices, "enum").map(String)
        : ["cosine"];
  return SCHEDULE_KINDS.filter((kind) => named.includes(kind));
}

/** Whether the form shows (and the spec carries) the setting, given the chosen schedules. */
export function settingApplies(setting: SettingDefinition, schedules: ScheduleKind[]): boolean {
  return (
    setting.schedules === undefined || setting.schedules.some((kind) => schedules.includes(kind))
  );
}

function optionValues(fields: readonly OptionField[], texts: Record<string, string>): SpecObject {
  const values: SpecObject = {};
  for (const field of fields) {
    const text = texts[field.key] ?? "";
    if (text.trim() !== "") values[field.key] = parseValue(text, field.kind);
  }
  return values;
}

/** The spec the form stands for: only what the form sets, blank inputs left out. */
export function formToSpec(form: StudyForm): SpecObject {
  const fixed: SpecObject = {};
  const searchSpace: SpecObject = {};
  const schedules = activeSchedules(form);
  for (const setting of SETTINGS) {
    const param = form.settings[setting.name];
    if (!param || !settingApplies(setting, schedules)) continue;
    switch (param.mode) {
      case "default":
        break;
      case "fixed":
        if (param.value.trim() !== "") fixed[setting.name] = parseValue(param.value, setting.kind);
        break;
      case "range": {
        const range: SpecObject = {
          type: setting.kind === "int" ? "int" : "float",
          low: parseValue(param.low, setting.kind),
          high: parseValue(param.high, setting.kind),
        };
        if (param.log) range.log = true;
        if (param.step.trim() !== "") range.step = parseValue(param.step, setting.kind);
        searchSpace[setting.name] = range;
        break;
      }
      case "choices":
        searchSpace[setting.name] = {
          type: "categorical",
          choices: parseChoices(param.choices, setting.kind),
        };
        break;
    }
  }
  const budget: SpecObject = { trials: parseValue(form.budget.trials, "int") };
  if (form.budget.parallelTrials.trim() !== "") {
    budget.parallelTrials = parseValue(form.budget.parallelTrials, "int");
  }
  budget[form.budget.unit === "steps" ? "stepsPerTrial" : "tokensPerTrial"] = parseValue(
    form.budget.length,
    "int",
  );
  if (form.budget.wallTimeMinutes.trim() !== "") {
    budget.wallTimeMinutes = parseValue(form.budget.wallTimeMinutes, "float");
  }
  const spec: SpecObject = {
    name: form.name,
    task: form.task,
    dataset: form.dataset,
    objectives: form.objectives.map(({ metric, direction }) => ({ metric, direction })),
  };
  if (Object.keys(fixed).length > 0) spec.fixed = fixed;
  spec.searchSpace = searchSpace;
  spec.sampler = {
    kind: form.sampler,
    ...optionValues(SAMPLERS[form.sampler].fields, form.samplerSettings[form.sampler]),
  };
  spec.pruner = {
    kind: form.pruner,
    ...optionValues(PRUNERS[form.pruner].fields, form.prunerSettings[form.pruner]),
  };
  spec.budget = budget;
  if (form.seed.trim() !== "") spec.seed = parseValue(form.seed, "int");
  return spec;
}

// ---- Spec ↔ text ---------------------------------------------------------------------------------

export type SpecFormat = "yaml" | "json";

/** YAML with lists of plain values on one line (`choices: [16, 32]`), or indented JSON. */
export function specToText(spec: unknown, format: SpecFormat): string {
  if (format === "json") return `${JSON.stringify(spec, null, 2)}\n`;
  const document = new YamlDocument(spec);
  visitYaml(document, {
    Seq(_, node) {
      if (node.items.every((item) => !isMap(item) && !isSeq(item))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0 });
}

/** JSON when the text is a JSON object, YAML otherwise. */
export function detectFormat(text: string): SpecFormat {
  return text.trimStart().startsWith("{") ? "json" : "yaml";
}

export type TextRead =
  | { ok: true; value: unknown }
  | { ok: false; message: string; line: number | undefined };

/** The text as data (JSON is YAML), or why it does not parse. */
export function readSpecText(text: string): TextRead {
  try {
    return { ok: true, value: parseYaml(text, { prettyErrors: true }) };
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    const message = ((error as Error).message.split("\n")[0] ?? "").replace(/[:.]$/, "");
    return { ok: false, message, line };
  }
}

// ---- Spec → form ---------------------------------------------------------------------------------

export interface FormFromSpec {
  /** The form as near to the spec as it can be. */
  form: StudyForm;
  /** The parts of the spec the form cannot show (empty when it shows all of it), as paths. */
  editorOnly: string[];
}

function isObject(value: unknown): value is SpecObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Fills the form from a spec (parsed, not yet validated), keeping the inputs of `base` wherever the
 * spec is silent, and names every part the form cannot show: what the form would write back is
 * compared with the spec, so anything lost or changed on the way counts.
 */
export function specToForm(raw: unknown, base: StudyForm): FormFromSpec {
  if (!isObject(raw)) return { form: base, editorOnly: ["(the spec is not a mapping of fields)"] };
  const form: StudyForm = structuredClone(base);
  form.name = text(raw.name);
  form.task = raw.task === "classification" ? "classification" : "language-modelling";
  form.dataset = text(raw.dataset);
  if (Array.isArray(raw.objectives)) {
    form.objectives = raw.objectives.map((objective) => {
      const entry = isObject(objective) ? objective : {};
      return {
        metric: text(entry.metric),
        direction: entry.direction === "maximize" ? "maximize" : "minimize",
      };
    });
  }

  const fixed = isObject(raw.fixed) ? raw.fixed : {};
  const searchSpace = isObject(raw.searchSpace) ? raw.searchSpace : {};
  for (const setting of SETTINGS) {
    const current = form.settings[setting.name] ?? blankRow(setting);
    const param = searchSpace[setting.name];
    if (setting.name in fixed) {
      form.settings[setting.name] = { ...current, mode: "fixed", value: text(fixed[setting.name]) };
    } else if (isObject(param) && (param.type === "float" || param.type === "int")) {
      form.settings[setting.name] = {
        ...current,
        mode: "range",
        low: text(param.low),
        high: text(param.high),
        log: param.log === true,
        step: text(param.step),
      };
    } else if (isObject(param) && param.type === "categorical" && Array.isArray(param.choices)) {
      form.settings[setting.name] = {
        ...current,
        mode: "choices",
        choices: param.choices.map(text).join(", "),
      };
    } else {
      form.settings[setting.name] = { ...current, mode: "default" };
    }
  }

  const sampler = isObject(raw.sampler) ? raw.sampler : {};
  if (typeof sampler.kind === "string" && sampler.kind in SAMPLERS) {
    form.sampler = sampler.kind as SamplerKind;
    form.samplerSettings[form.sampler] = optionTexts(SAMPLERS[form.sampler].fields, sampler);
  }
  const pruner = isObject(raw.pruner) ? raw.pruner : { kind: "none" };
  if (typeof pruner.kind === "string" && pruner.kind in PRUNERS) {
    form.pruner = pruner.kind as PrunerKind;
    form.prunerSettings[form.pruner] = optionTexts(PRUNERS[form.pruner].fields, pruner);
  }

  const budget = isObject(raw.budget) ? raw.budget : {};
  const byTokens = budget.tokensPerTrial !== undefined && budget.stepsPerTrial === undefined;
  form.budget = {
    trials: text(budget.trials),
    parallelTrials: text(budget.parallelTrials),
    unit: byTokens ? "tokens" : "steps",
    length: text(byTokens ? budget.tokensPerTrial : budget.stepsPerTrial),
    wallTimeMinutes: text(budget.wallTimeMinutes),
  };
  form.seed = text(raw.seed);

  return { form, editorOnly: differences(normalised(raw), normalised(formToSpec(form))) };
}

function optionTexts(fields: readonly OptionField[], values: SpecObject): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.key, text(values[field.key])]));
}

/** What a spec means regardless of how it is written: no empty `fixed`, no explicit no-op pruner. */
function normalised(spec: SpecObject): SpecObject {
  const copy = { ...spec };
  if (isObject(copy.fixed) && Object.keys(copy.fixed).length === 0) delete copy.fixed;
  if (
    isObject(copy.pruner) &&
    copy.pruner.kind === "none" &&
    Object.keys(copy.pruner).length === 1
  ) {
    delete copy.pruner;
  }
  return copy;
}

/** Paths (two levels deep at most, `searchSpace.lr`) where two specs differ. */
export function differences(a: unknown, b: unknown, path = "", depth = 0): string[] {
  if (sameValue(a, b)) return [];
  if (depth < 2 && isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) =>
      differences(a[key], b[key], path ? `${path}.${key}` : key, depth + 1),
    );
  }
  return [path || "(the whole spec)"];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    return keys.length === otherKeys.length && keys.every((key) => sameValue(a[key], b[key]));
  }
  return false;
}

// ---- Form helpers --------------------------------------------------------------------------------

/**
 * One or two objectives: with two the study is multi-objective, so a single-objective sampler or
 * pruner is swapped for its multi-objective counterpart (and back with one).
 */
export function setObjectives(form: StudyForm, objectives: StudyForm["objectives"]): StudyForm {
  const count = objectives.length;
  const sampler = samplersFor(count).includes(form.sampler)
    ? form.sampler
    : count > 1
      ? "nsga2"
      : "tpe";
  let pruner = form.pruner;
  if (!prunersFor(count).includes(pruner)) pruner = count > 1 ? "multi-objective" : "median";
  return { ...form, objectives, sampler, pruner };
}

export type AttentionKind = "mha" | "gqa" | "mqa" | "search";

/** The attention kind the kv_heads row stands for. */
export function attentionKind(kvHeads: ParamRow): AttentionKind {
  if (kvHeads.mode === "default") return "mha";
  if (kvHeads.mode === "fixed") return kvHeads.value.trim() === "1" ? "mqa" : "gqa";
  return "search";
}

/** The kv_heads row for an attention kind; GQA keeps its head count, or takes 2. */
export function withAttentionKind(kvHeads: ParamRow, kind: AttentionKind): ParamRow {
  switch (kind) {
    case "mha":
      return { ...kvHeads, mode: "default" };
    case "mqa":
      return { ...kvHeads, mode: "fixed", value: "1" };
    case "gqa": {
      const value = kvHeads.value.trim();
      return { ...kvHeads, mode: "fixed", value: value === "" || value === "1" ? "2" : value };
    }
    case "search":
      return { ...kvHeads, mode: kvHeads.mode === "range" ? "range" : "choices" };
  }
}

/** A learning rate as an input shows it: three significant digits. */
export function roundLr(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** The learning rate searched log-uniformly between the bounds (an LR range test's suggestion). */
export function applyLrBounds(form: StudyForm, bounds: { low: number; high: number }): StudyForm {
  const lr = form.settings.lr as ParamRow;
  return {
    ...form,
    settings: {
      ...form.settings,
      lr: {
        ...lr,
        mode: "range",
        low: roundLr(bounds.low),
        high: roundLr(bounds.high),
        log: true,
        step: "",
      },
    },
  };
}

/** The same, on a spec the form cannot show: the text's own spec with the LR searched between them. */
export function specWithLrBounds(spec: unknown, bounds: { low: number; high: number }): SpecObject {
  const base = isObject(spec) ? spec : {};
  const { lr: _fixedLr, ...fixed } = isObject(base.fixed) ? base.fixed : {};
  const searchSpace = isObject(base.searchSpace) ? base.searchSpace : {};
  const merged: SpecObject = {
    ...base,
    searchSpace: {
      ...searchSpace,
      lr: {
        type: "float",
        low: Number(roundLr(bounds.low)),
        high: Number(roundLr(bounds.high)),
        log: true,
      },
    },
  };
  if (Object.keys(fixed).length > 0) merged.fixed = fixed;
  else delete merged.fixed;
  return merged;
}

/** Settings that only shape a schedule or a run's length, which an LR range test sets itself. */
const NOT_FOR_LR_TEST = new Set([
  "lr",
  "eval_every",
  ...SETTINGS.filter((setting) => setting.group === "schedule").map((setting) => setting.name),
  "schedule",
]);

/** The trial an LR range test trains: the spec's fixed settings, minus the LR and its schedule. */
export function lrTestTrialSettings(spec: unknown): Record<string, number | string | boolean> {
  const fixed = isObject(spec) && isObject(spec.fixed) ? spec.fixed : {};
  const trial: Record<string, number | string | boolean> = {};
  for (const [name, value] of Object.entries(fixed)) {
    if (NOT_FOR_LR_TEST.has(name) || !SETTING_BY_NAME.has(name)) continue;
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") {
      trial[name] = value;
    }
  }
  return trial;
}

/**
 * A W&B sweep's parts merged into a spec: the sweep decides what is searched and how (objectives
 * when it names a metric, search space, sampler, pruner, trial count and name when it has them);
 * the spec keeps its dataset, task, budget otherwise, and fixed settings the sweep does not search.
 */
export function mergeWandbImport(spec: unknown, sweep: ImportedSweep): SpecObject {
  const base = isObject(spec) ? spec : {};
  const searched = new Set(Object.keys(sweep.searchSpace));
  const fixed = Object.fromEntries(
    Object.entries(isObject(base.fixed) ? base.fixed : {}).filter(([name]) => !searched.has(name)),
  );
  const merged: SpecObject = {
    ...base,
    ...(sweep.name ? { name: sweep.name } : {}),
    ...(sweep.objectives.length > 0 ? { objectives: sweep.objectives } : {}),
    fixed: { ...fixed, ...sweep.fixed },
    searchSpace: sweep.searchSpace,
    sampler: sweep.sampler,
    pruner: sweep.pruner ?? { kind: "none" },
  };
  if (sweep.budget) {
    merged.budget = { ...(isObject(base.budget) ? base.budget : {}), trials: sweep.budget.trials };
  }
  if (Object.keys(merged.fixed as SpecObject).length === 0) delete merged.fixed;
  return merged;
}

// ---- Errors --------------------------------------------------------------------------------------

export interface SpecErrorLike {
  path: string;
  message: string;
  line?: number;
}

/**
 * The form section an error belongs to: a setting's name for `fixed.x` and `searchSpace.x...`,
 * `budget.x`, or the spec's top-level field (`sampler`, `objectives`, ...).
 */
export function errorField(path: string): string {
  const parts = path.split(/[.[]/);
  const [head, second] = parts;
  if ((head === "fixed" || head === "searchSpace") && second) return second;
  if (head === "budget" && second) return `budget.${second}`;
  return head ?? "";
}

/** The character offset where a 1-based line starts, for moving the editor's caret there. */
export function offsetOfLine(source: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = source.indexOf("\n", offset);
    if (next < 0) return source.length;
    offset = next + 1;
  }
  return offset;
}
