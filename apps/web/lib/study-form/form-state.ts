// The new-study form's state: one row per trainer setting, the constraints, the sampler's and
// pruner's inputs per kind, the budget and the seed, all as input texts (values.ts).
import {
  type Direction,
  PRUNERS,
  type PrunerKind,
  SAMPLERS,
  type SamplerKind,
  SETTINGS,
  type SettingDefinition,
  type Task,
} from "./catalogue.ts";

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
  /** The project's model every trial starts from, by name; blank: trials train from scratch. */
  model: string;
  objectives: { metric: string; direction: Direction }[];
  /** One row per entry of SETTINGS. */
  settings: Record<string, ParamRow>;
  /** The spec's constraints as typed; blank ones are left out of the spec. */
  constraints: string[];
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

/** The inputs a row offers before the user or a spec fills them: its default in every mode. */
export function blankRow(setting: SettingDefinition): ParamRow {
  const numeric = setting.kind === "int" || setting.kind === "float";
  const byDefault = setting.defaultText ?? "";
  return {
    mode: "default",
    value: numeric && !/^[\d.e+-]+$/.test(byDefault) ? "" : byDefault,
    low: "",
    high: "",
    log: setting.logScale,
    step: "",
    choices: setting.options?.join(", ") ?? (setting.kind === "bool" ? "true, false" : ""),
  };
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
    model: "",
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    settings,
    constraints: [],
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
