// The compare page: which trials it shows (the `trials` query parameter, editable), and their
// configurations side by side with the settings that differ marked.

/** Most trials one comparison shows; more would not fit side by side. */
export const MAX_COMPARED = 12;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The trial ids of a `trials=<id>,<id>` parameter: well-formed, each once, in order, capped. */
export function parseTrialIds(parameter: string | null | undefined): string[] {
  if (!parameter) return [];
  const ids = parameter
    .split(",")
    .map((id) => id.trim().toLowerCase())
    .filter((id) => UUID.test(id));
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

export function compareHref(studyId: string, trialIds: readonly string[]): string {
  const query = trialIds.length > 0 ? `?trials=${trialIds.join(",")}` : "";
  return `/studies/${studyId}/compare${query}`;
}

export interface DiffRow {
  name: string;
  /** One per configuration; undefined where a configuration lacks the setting. */
  values: unknown[];
  /** Whether the configurations disagree (a missing setting disagrees with a present one). */
  differs: boolean;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * One row per setting any configuration has (in the order first seen), with each configuration's
 * value and whether they differ.
 */
export function diffConfigs(configs: readonly Readonly<Record<string, unknown>>[]): DiffRow[] {
  const names = [...new Set(configs.flatMap((config) => Object.keys(config)))];
  return names.map((name) => {
    const values = configs.map((config) =>
      Object.hasOwn(config, name) ? config[name] : undefined,
    );
    const differs = values.some((value) => !same(value, values[0]));
    return { name, values, differs };
  });
}
