// Imports a Weights & Biases sweep config (YAML or JSON) as the parts of a study spec it
// determines: objective, search space, sampler, pruner and trial count. Whatever has no exact
// counterpart is approximated or left out, and each such case is reported in `warnings`.
import { parse } from "yaml";
import type { PrunerSpecInput } from "./pruner-spec.ts";
import { gridValueCount } from "./samplers/grid.ts";
import type { SamplerSpecInput } from "./samplers/index.ts";
import { type ParamSpec, type SearchSpace, validateSearchSpace } from "./space.ts";
import type { Objective } from "./spec.ts";
import type { ParamValue } from "./types.ts";

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

type Raw = Record<string, unknown>;

/** W&B keys that mean something for W&B's own agent but nothing here. */
const AGENT_KEYS = new Set([
  "program",
  "command",
  "entity",
  "project",
  "description",
  "controller",
]);
const PARAMETER_KEYS = new Set([
  ...["distribution", "value", "values", "probabilities"],
  ...["min", "max", "mu", "sigma", "q", "a", "b"],
]);

/**
 * Maps a W&B sweep config. Nested `parameters` become dotted names (`optimizer.lr`). Throws only
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
  for (const [name, param] of Object.entries(convertParameters(config.parameters, "", warnings))) {
    if (param.type === "fixed") {
      fixed[name] = param.value;
      continue;
    }
    const issues = validateSearchSpace({ [name]: param });
    if (issues.length === 0) searchSpace[name] = param;
    for (const issue of issues) {
      warnings.push(`parameter "${name}" skipped: ${issue.message}`);
    }
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

function convertParameters(raw: Raw, prefix: string, warnings: string[]): SearchSpace {
  const space: SearchSpace = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = `${prefix}${key}`;
    if (!isRaw(value)) {
      warnings.push(`parameter "${name}" is not a mapping: skipped`);
    } else if ("parameters" in value) {
      for (const extra of Object.keys(value).filter((key) => key !== "parameters")) {
        warnings.push(`parameter "${name}": "${extra}" beside nested parameters is not mapped`);
      }
      if (isRaw(value.parameters)) {
        Object.assign(space, convertParameters(value.parameters, `${name}.`, warnings));
      } else {
        warnings.push(`parameter "${name}": nested parameters are not a mapping: skipped`);
      }
    } else {
      const param = convertParameter(name, value, warnings);
      if (param !== undefined) space[name] = param;
    }
  }
  return space;
}

/** W&B's rule when no distribution is named: values, value, then int or float bounds. */
function inferDistribution(raw: Raw): string | undefined {
  if (raw.values !== undefined) return "categorical";
  if (raw.value !== undefined) return "constant";
  if (typeof raw.min === "bigint" && typeof raw.max === "bigint") return "int_uniform";
  if (number(raw.min) !== undefined && number(raw.max) !== undefined) return "uniform";
  return undefined;
}

function convertParameter(name: string, raw: Raw, warnings: string[]): ParamSpec | undefined {
  const warn = (message: string) => warnings.push(`parameter "${name}": ${message}`);
  for (const key of Object.keys(raw).filter((key) => !PARAMETER_KEYS.has(key))) {
    warn(`key "${key}" is not mapped`);
  }
  const distribution = raw.distribution ?? inferDistribution(raw);
  const min = number(raw.min);
  const max = number(raw.max);
  const q = number(raw.q) ?? 1;
  const bounds = (): [number, number] | undefined => {
    if (min !== undefined && max !== undefined) return [min, max];
    warn(`${distribution} needs numeric min and max: skipped`);
    return undefined;
  };
  // The normal family has no bounds: mu ± 2 sigma (on the log scale for log_normal) stands in.
  const normalRange = (logScale: boolean): [number, number] => {
    const mu = number(raw.mu) ?? 0;
    const sigma = number(raw.sigma) ?? 1;
    const [low, high] = [mu - 2 * sigma, mu + 2 * sigma].map((x) =>
      round(logScale ? Math.exp(x) : x),
    );
    warn(
      `${distribution} is unbounded: approximated by the range of mu ± 2 sigma, [${low}, ${high}]`,
    );
    return [low as number, high as number];
  };

  switch (distribution) {
    case "constant": {
      const value = scalar(raw.value);
      if (value === undefined) warn("value is not a number, string or boolean: skipped");
      return value === undefined ? undefined : { type: "fixed", value };
    }
    case "categorical":
      return categorical(raw, warn);
    case "int_uniform": {
      const range = bounds();
      if (range === undefined) return undefined;
      if (!range.every(Number.isInteger)) {
        warn("int_uniform needs integer min and max: skipped");
        return undefined;
      }
      return { type: "int", low: range[0], high: range[1] };
    }
    case "uniform": {
      const range = bounds();
      return range && { type: "float", low: range[0], high: range[1] };
    }
    case "q_uniform": {
      const range = bounds();
      return range && quantized(range, q, warn);
    }
    case "q_normal":
      return quantized(normalRange(false), q, warn);
    case "normal": {
      const [low, high] = normalRange(false);
      return { type: "float", low, high };
    }
    case "log_uniform_values":
    case "inv_log_uniform_values": {
      // log(1/X) uniform between log(1/max) and log(1/min) is log(X) uniform on [min, max].
      const range = bounds();
      return range && { type: "float", low: range[0], high: range[1], log: true };
    }
    case "log_uniform":
    case "inv_log_uniform": {
      // Natural-log bounds; inv_log_uniform's are those of 1/X.
      const range = bounds();
      if (range === undefined) return undefined;
      const [low, high] = distribution === "log_uniform" ? range : [-range[1], -range[0]];
      return { type: "float", low: round(Math.exp(low)), high: round(Math.exp(high)), log: true };
    }
    case "log_normal": {
      const [low, high] = normalRange(true);
      return { type: "float", low, high, log: true };
    }
    case "q_log_uniform_values": {
      const range = bounds();
      return range && quantizedLog(range, q, warn);
    }
    case "q_log_uniform": {
      const range = bounds();
      return range && quantizedLog([round(Math.exp(range[0])), round(Math.exp(range[1]))], q, warn);
    }
    case "q_log_normal":
      return quantizedLog(normalRange(true), q, warn);
    default:
      warn(
        distribution === undefined
          ? "no values, value or min/max: skipped"
          : `distribution ${JSON.stringify(distribution)} is not supported: skipped`,
      );
      return undefined;
  }
}

function categorical(raw: Raw, warn: (message: string) => void): ParamSpec | undefined {
  if (!Array.isArray(raw.values) || raw.values.length === 0) {
    warn("categorical needs a non-empty values list: skipped");
    return undefined;
  }
  const choices = raw.values.map(scalar);
  if (choices.some((choice) => choice === undefined)) {
    warn(
      "values other than numbers, strings and booleans (lists, maps, null) cannot be choices: skipped",
    );
    return undefined;
  }
  const unique = [...new Set(choices as ParamValue[])];
  if (unique.length < choices.length) warn("duplicate values dropped");
  if (raw.probabilities !== undefined) {
    warn("probabilities are not mapped: every choice is equally likely to the samplers");
  }
  return { type: "categorical", choices: unique };
}

/** round(X / q)·q over [min, max]: the multiples of q inside the range, as a stepped float. */
function quantized(
  [min, max]: [number, number],
  q: number,
  warn: (message: string) => void,
): ParamSpec {
  const low = round(Math.ceil(min / q - 1e-9) * q);
  const high = round(Math.floor(max / q + 1e-9) * q);
  if (low !== min || high !== max) {
    warn(`range [${min}, ${max}] narrowed to the multiples of q=${q}: [${low}, ${high}]`);
  }
  return { type: "float", low, high, step: q };
}

/** A quantized log scale: integers when q is 1, otherwise a log float without the quantization. */
function quantizedLog(
  [min, max]: [number, number],
  q: number,
  warn: (message: string) => void,
): ParamSpec {
  if (q === 1)
    return { type: "int", low: Math.max(1, Math.ceil(min)), high: Math.floor(max), log: true };
  warn(`a step cannot be combined with a log scale: q=${q} is dropped, values are not rounded`);
  return { type: "float", low: min, high: max, log: true };
}

function isRaw(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function number(value: unknown): number | undefined {
  if (typeof value === "bigint") return Number(value);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function scalar(value: unknown): ParamValue | undefined {
  if (typeof value === "string" || typeof value === "boolean") return value;
  return number(value);
}

/** Twelve significant digits, to drop the noise of exp/log and of multiplying by q. */
function round(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}
