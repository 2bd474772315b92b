// Edits the new-study page makes to the form or to a spec: objectives that switch the study between
// one and several, the attention kind, an LR range test's bounds and a W&B sweep's search.
import type { ImportedSweep } from "@attune/core/spec";
import { prunersFor, SETTINGS, samplersFor, settingDefinition } from "./catalogue.ts";
import type { ParamRow, StudyForm } from "./form-state.ts";
import { isObject, type SpecObject } from "./values.ts";

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
  "schedule",
  ...SETTINGS.filter((setting) => setting.group === "schedule").map((setting) => setting.name),
]);

/** The trial an LR range test trains: the spec's fixed settings, minus the LR and its schedule. */
export function lrTestTrialSettings(spec: unknown): Record<string, number | string | boolean> {
  const fixed = isObject(spec) && isObject(spec.fixed) ? spec.fixed : {};
  const trial: Record<string, number | string | boolean> = {};
  for (const [name, value] of Object.entries(fixed)) {
    if (NOT_FOR_LR_TEST.has(name) || settingDefinition(name) === undefined) continue;
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") {
      trial[name] = value;
    }
  }
  return trial;
}

/** The model an LR range test starts from: the spec's, as its trials will; none: random weights. */
export function lrTestModel(spec: unknown): string | undefined {
  return isObject(spec) && typeof spec.model === "string" && spec.model !== ""
    ? spec.model
    : undefined;
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
