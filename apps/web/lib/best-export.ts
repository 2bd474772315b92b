// The best configuration of a study (or another trial's of its Pareto front) as text to copy or download: JSON as `attune study best`
// writes it (the configuration alone), or YAML with a comment saying where it came from.
import { stringify } from "yaml";

export type ExportFormat = "json" | "yaml";

/** What studies.exportBest answers. */
export interface BestConfiguration {
  studyId: string;
  trialNumber: number;
  /** The study's best trial; otherwise one of its Pareto front, chosen by the reader. */
  isBest: boolean;
  objectives: readonly { metric: string; direction: string }[];
  values: readonly number[] | null;
  config: Readonly<Record<string, unknown>>;
}

export function exportText(best: BestConfiguration, format: ExportFormat): string {
  if (format === "json") return `${JSON.stringify(best.config, null, 2)}\n`;
  const results = best.objectives
    .map((objective, index) => `${objective.metric} ${best.values?.[index] ?? "?"}`)
    .join(", ");
  const header = [
    `# ${best.isBest ? "Best configuration" : "Configuration"} of study ${best.studyId}: trial ${best.trialNumber}`,
    `# ${results} (${best.objectives.map((objective) => objective.direction).join(", ")})`,
  ].join("\n");
  return `${header}\n${stringify(best.config)}`;
}

/** "tiny-gpt-lr-trial-12.yaml": the study's name made safe for a file name. */
export function exportFileName(
  studyName: string,
  trialNumber: number,
  format: ExportFormat,
): string {
  const base =
    studyName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "study";
  return `${base}-trial-${trialNumber}.${format}`;
}

export function exportMimeType(format: ExportFormat): string {
  return format === "json" ? "application/json" : "application/yaml";
}
