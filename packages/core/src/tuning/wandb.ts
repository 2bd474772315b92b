// Imports a Weights & Biases sweep config (YAML or JSON) as the parts of a study spec it
// determines: objective, search space, sampler, pruner and trial count. Parameters become training
// settings (wandb-settings.ts maps their names and values; wandb-distributions.ts their
// distributions). Whatever has no exact counterpart is approximated or left out, and each such case
// is reported in `warnings`.
import { parse } from "yaml";
import type { SettingName } from "../trial/settings-schema.ts";
import type { PrunerSpecInput } from "./pruner-spec.ts";
import { gridValueCount } from "./samplers/grid.ts";
import type { SamplerSpecInput } from "./samplers/index.ts";
import { type ParamSpec, type SearchSpace, validateSearchSpace } from "./space.ts";
import type { Objective } from "./spec.ts";
import type { ParamValue } from "./types.ts";
import { convertParameter, isRaw, number, type Raw } from "./wandb-distributions.ts";
import { isLoraSetting, mapParameter, settingParameter } from "./wandb-settings.ts";

/** The spec fields a sweep determines; a study still needs its name, task, dataset and budget. */
export interface ImportedSweep {
  name?: string;
  objectives: Objective[];
  fixed: Record<string, ParamValue>;
  searchSpace: SearchSpace;
  sampler: SamplerSpecInput;
  pruner?: PrunerSpecInput;
  budget?: { trials: number };
}

export interface WandbImport {
  spec: ImportedSweep;
  /** One sentence per thing that was approximated or not mapped. */
  warnings: string[];
}

/** W&B keys that mean something for W&B's own agent but nothing here. */
const AGENT_KEYS = new Set([
  "program",
  "command",
  "entity",
  "project",
  "description",
  "controller",
]);

/**
 * Maps a W&B sweep config. Nested `parameters` are named by their path (`lora.r`) and mapped as
 * the rest are: each to the training setting it sets (wandb-settings.ts). Throws only
 * when the text is not a sweep config at all (not YAML/JSON, not a mapping, no parameters).
 */
export function importWandbSweep(text: string): WandbImport {
  let config: unknown;
  try {
    // Integers come back as bigints so `max: 1` (int_uniform) stays apart from `max: 1.0` (uniform).
    config = parse(text, { intAsBigInt: true });
  } catch (error) {
    throw new Error(`W&B sweep config is not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (!isRaw(config)) throw new Error("W&B sweep config must be a mapping of keys");
  if (!isRaw(config.parameters)) {
    throw new Error("W&B sweep config has no `parameters` mapping to import");
  }
  const warnings: string[] = [];
  const handled = new Set(["name", "method", "metric", "parameters", "early_terminate", "run_cap"]);
  for (const key of Object.keys(config).filter((key) => !handled.has(key))) {
    warnings.push(
      AGENT_KEYS.has(key)
        ? `"${key}" is not mapped: it configures W&B's agent, not the search`
        : `unknown key "${key}" is not mapped`,
    );
  }

  const fixed: Record<string, ParamValue> = {};
  const searchSpace: SearchSpace = {};
  const sources = new Map<string, string>();
  for (const { name, setting, param } of convertParameters(config.parameters, "", warnings)) {
    const issues = param.type === "fixed" ? [] : validateSearchSpace({ [setting]: param });
    for (const issue of issues) warnings.push(`parameter "${name}" skipped: ${issue.message}`);
    const valid = issues.length === 0 && settingParameter(name, setting, param, warnings);
    if (!valid) continue;
    const earlier = sources.get(setting);
    if (earlier !== undefined) {
      warnings.push(`parameter "${name}" is left out: ${setting} is already set by "${earlier}"`);
      continue;
    }
    sources.set(setting, name);
    if (valid.type === "fixed") fixed[setting] = valid.value;
    else searchSpace[setting] = valid;
  }
  const loraSettings = [...sources.keys()].filter(isLoraSetting);
  if (loraSettings.length > 0 && !sources.has("finetune")) {
    fixed.finetune = "lora";
    warnings.push(
      `finetune is set to lora: the sweep sets ${loraSettings.join(", ")}, which apply to LoRA only`,
    );
  }

  const sampler = convertMethod(config.method, searchSpace, warnings);
  const spec: ImportedSweep = {
    objectives: convertMetric(config.metric, warnings),
    fixed,
    searchSpace,
    sampler,
  };
  if (typeof config.name === "string") spec.name = config.name;
  const pruner = convertEarlyTerminate(config.early_terminate, warnings);
  if (pruner !== undefined) spec.pruner = pruner;
  const runCap = number(config.run_cap);
  if (runCap !== undefined && Number.isInteger(runCap) && runCap >= 1) {
    spec.budget = { trials: runCap };
  } else {
    warnings.push("no usable run_cap: set budget.trials");
  }
  return { spec, warnings };
}

function convertMethod(method: unknown, space: SearchSpace, warnings: string[]): SamplerSpecInput {
  switch (method) {
    case "grid":
      for (const [name, param] of Object.entries(space)) {
        try {
          gridValueCount(name, param);
        } catch (error) {
          warnings.push(`${(error as Error).message} (W&B would not run this grid either)`);
        }
      }
      return { kind: "grid" };
    case "random":
      return { kind: "random" };
    case "bayes":
      warnings.push("method bayes (a Gaussian process in W&B) is mapped to the TPE sampler");
      return { kind: "tpe" };
    default:
      warnings.push(
        `method ${JSON.stringify(method)} is not grid, random or bayes: random search used`,
      );
      return { kind: "random" };
  }
}

function convertMetric(metric: unknown, warnings: string[]): Objective[] {
  if (!isRaw(metric) || typeof metric.name !== "string") {
    warnings.push("no metric name: set the study's objectives");
    return [];
  }
  for (const key of Object.keys(metric).filter((key) => !["name", "goal"].includes(key))) {
    warnings.push(
      key === "target"
        ? "metric.target is not mapped: the study runs its whole budget"
        : `metric.${key} is not mapped`,
    );
  }
  const goal = metric.goal ?? "minimize";
  if (goal !== "minimize" && goal !== "maximize") {
    warnings.push(`metric.goal ${JSON.stringify(goal)} is not minimize or maximize: minimize used`);
    return [{ metric: metric.name, direction: "minimize" }];
  }
  return [{ metric: metric.name, direction: goal }];
}

/** W&B's hyperband stops runs at brackets min_iter·η^k; ours is the hyperband pruner. */
function convertEarlyTerminate(raw: unknown, warnings: string[]): PrunerSpecInput | undefined {
  if (raw === undefined) return undefined;
  if (!isRaw(raw) || raw.type !== "hyperband") {
    warnings.push(
      `early_terminate ${JSON.stringify(raw, jsonSafe)} is not mapped: only hyperband is`,
    );
    return undefined;
  }
  const eta = number(raw.eta) ?? 3;
  const minIter = number(raw.min_iter);
  const maxIter = number(raw.max_iter);
  const brackets = number(raw.s);
  let minResource: number;
  let maxResource: number;
  if (minIter !== undefined) {
    minResource = minIter;
    if (maxIter === undefined) {
      maxResource = minIter * eta ** 3;
      warnings.push(
        `early_terminate has no max_iter (W&B's brackets go on): maxResource set to min_iter·eta³ = ${maxResource}; set it to a full trial's steps`,
      );
    } else {
      maxResource = maxIter;
    }
  } else if (maxIter !== undefined && brackets !== undefined) {
    minResource = Math.max(1, Math.round(maxIter / eta ** brackets));
    maxResource = maxIter;
  } else {
    warnings.push("early_terminate needs min_iter, or max_iter and s: not mapped");
    return undefined;
  }
  if (raw.strict !== undefined && raw.strict !== false) {
    warnings.push("early_terminate.strict is not mapped: the hyperband pruner has one rule");
  }
  for (const key of Object.keys(raw)) {
    if (!["type", "eta", "min_iter", "max_iter", "s", "strict"].includes(key)) {
      warnings.push(`early_terminate.${key} is not mapped`);
    }
  }
  warnings.push(
    "W&B counts hyperband iterations as logged values of the metric; minResource and maxResource are training steps here: check them",
  );
  return { kind: "hyperband", minResource, maxResource, reductionFactor: eta };
}

/** A W&B parameter (`name`, dotted when nested) as the setting it sets. */
interface ConvertedParameter {
  name: string;
  setting: SettingName;
  param: ParamSpec;
}

function convertParameters(raw: Raw, prefix: string, warnings: string[]): ConvertedParameter[] {
  const converted: ConvertedParameter[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const name = `${prefix}${key}`;
    if (!isRaw(value)) {
      warnings.push(`parameter "${name}" is not a mapping: skipped`);
    } else if ("parameters" in value) {
      for (const extra of Object.keys(value).filter((key) => key !== "parameters")) {
        warnings.push(`parameter "${name}": "${extra}" beside nested parameters is not mapped`);
      }
      if (isRaw(value.parameters)) {
        converted.push(...convertParameters(value.parameters, `${name}.`, warnings));
      } else {
        warnings.push(`parameter "${name}": nested parameters are not a mapping: skipped`);
      }
    } else {
      const mapped = mapParameter(name, value, warnings);
      const param = mapped && convertParameter(name, mapped.raw, warnings);
      if (mapped && param) converted.push({ name, setting: mapped.setting, param });
    }
  }
  return converted;
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}
