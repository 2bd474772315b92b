// One W&B sweep parameter (a distribution, its bounds and values) as a search-space parameter.
// W&B's distributions without an exact counterpart are approximated, each time with a warning.
import type { ParamSpec } from "./space.ts";
import type { ParamValue } from "./types.ts";

export type Raw = Record<string, unknown>;

const PARAMETER_KEYS = new Set([
  ...["distribution", "value", "values", "probabilities"],
  ...["min", "max", "mu", "sigma", "q", "a", "b"],
]);

/** W&B's rule when no distribution is named: values, value, then int or float bounds. */
function inferDistribution(raw: Raw): string | undefined {
  if (raw.values !== undefined) return "categorical";
  if (raw.value !== undefined) return "constant";
  if (typeof raw.min === "bigint" && typeof raw.max === "bigint") return "int_uniform";
  if (number(raw.min) !== undefined && number(raw.max) !== undefined) return "uniform";
  return undefined;
}

export function convertParameter(
  name: string,
  raw: Raw,
  warnings: string[],
): ParamSpec | undefined {
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

export function isRaw(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function number(value: unknown): number | undefined {
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
