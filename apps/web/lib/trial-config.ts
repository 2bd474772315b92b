// A trial's training configuration as the trial page lists it: every setting the trainer reads,
// each marked by where its value came from (searched by the study's sampler, fixed by its spec,
// or the trainer's default), and the text that copies it.
import type { SearchSpace } from "@attune/core/spec";
import { formatParam } from "./format.ts";

export type SettingSource = "searched" | "fixed" | "default";

export interface ConfigRow {
  name: string;
  value: unknown;
  source: SettingSource;
  /** For a searched setting: the range or choices it was drawn from. */
  domain?: string;
}

export interface TrialConfigInput {
  /** The study spec's fixed settings. */
  fixed: Readonly<Record<string, unknown>>;
  searchSpace: SearchSpace;
  /** The trial's sampled parameters. */
  params: Readonly<Record<string, unknown>>;
  /** Every setting with the trainer's defaults filled in; undefined when they could not be read. */
  resolved?: Readonly<Record<string, unknown>>;
}

/** Where the search space let a parameter's value come from, in a few words. */
export function describeDomain(param: SearchSpace[string]): string {
  switch (param.type) {
    case "float":
    case "int": {
      const scale = param.log ? ", log scale" : "";
      const step = param.step ? `, step ${formatParam(param.step)}` : "";
      return `${formatParam(param.low)} to ${formatParam(param.high)}${scale}${step}`;
    }
    case "categorical":
      return `one of ${param.choices.map(formatParam).join(", ")}`;
    case "fixed":
      return `always ${formatParam(param.value)}`;
  }
}

const SOURCE_ORDER: readonly SettingSource[] = ["searched", "fixed", "default"];

/**
 * One row per setting, searched first, then fixed, then defaults; within each, the trainer's order
 * (settings it leaves unset, such as kv_heads defaulting to heads, are left out), then anything the
 * spec or trial gives that the resolved settings lack. The trial's parameters win over the spec's
 * fixed settings, as in training.
 */
export function trialConfigRows({
  fixed,
  searchSpace,
  params,
  resolved,
}: TrialConfigInput): ConfigRow[] {
  const merged: Record<string, unknown> = { ...resolved, ...fixed, ...params };
  return Object.entries(merged)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]): ConfigRow => {
      if (Object.hasOwn(params, name)) {
        const param = searchSpace[name];
        return { name, value, source: "searched", domain: param && describeDomain(param) };
      }
      return { name, value, source: Object.hasOwn(fixed, name) ? "fixed" : "default" };
    })
    .sort((a, b) => SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source));
}

/** The rows as a JSON object of setting to value, the form a study spec's `fixed` takes. */
export function configJson(rows: readonly ConfigRow[]): string {
  return JSON.stringify(Object.fromEntries(rows.map((row) => [row.name, row.value])), null, 2);
}
