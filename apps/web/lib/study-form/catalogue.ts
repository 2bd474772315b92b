// What the new-study form offers, as core's schemas define it (@attune/core/spec's catalogues): every
// trainer setting, sampler, pruner and objective metric with its kind, default, allowed values,
// label and description. Nothing here restates a setting: a new one in core appears in the form.
import {
  type CatalogueField,
  type CatalogueKind,
  type Direction,
  prunerCatalogue,
  type SettingGroup,
  type StudySpec,
  samplerCatalogue,
  settingsCatalogue,
  studySpecSchema,
  suitsObjectives,
  type TrialSettings,
  trialMetrics,
} from "@attune/core/spec";

export type { Direction, ValueKind } from "@attune/core/spec";
export type SettingDefinition = CatalogueField;
export type Task = StudySpec["task"];
export type SamplerKind = StudySpec["sampler"]["kind"];
export type PrunerKind = StudySpec["pruner"]["kind"];
export type ScheduleKind = TrialSettings["schedule"];

/** Every training setting a spec may fix or search, in the order the form shows them. */
export const SETTINGS: readonly SettingDefinition[] = settingsCatalogue;

const SETTING_BY_NAME = new Map(SETTINGS.map((setting) => [setting.name, setting]));

export function settingDefinition(name: string): SettingDefinition | undefined {
  return SETTING_BY_NAME.get(name);
}

/** The settings of one group of the form, in order. */
export function settingsOf(group: SettingGroup): SettingDefinition[] {
  return SETTINGS.filter((setting) => setting.group === group);
}

/** The tasks a study may train for: "language-modelling" reads "Language modelling". */
export const TASKS: readonly { value: Task; label: string }[] =
  studySpecSchema.shape.task.options.map((value) => ({
    value,
    label: value.charAt(0).toUpperCase() + value.slice(1).replaceAll("-", " "),
  }));

export const SCHEDULE_KINDS = (settingDefinition("schedule")?.options ?? []) as ScheduleKind[];

/** The metrics a study may optimise, with the direction that is better. */
export const OBJECTIVE_METRICS: readonly {
  metric: string;
  label: string;
  direction: Direction;
  tasks?: readonly Task[];
}[] = Object.entries(trialMetrics).flatMap(([metric, definition]) =>
  definition.objective
    ? [
        {
          metric,
          label: definition.label,
          direction: definition.better === "higher" ? "maximize" : "minimize",
          ...("tasks" in definition ? { tasks: definition.tasks } : {}),
        },
      ]
    : [],
);

export const SAMPLERS = Object.fromEntries(
  samplerCatalogue.map((sampler) => [sampler.kind, sampler]),
) as Record<SamplerKind, CatalogueKind<SamplerKind>>;

export const PRUNERS = Object.fromEntries(
  prunerCatalogue.map((pruner) => [pruner.kind, pruner]),
) as Record<PrunerKind, CatalogueKind<PrunerKind>>;

/** The samplers that suit a study with this many objectives (TPE optimises one). */
export function samplersFor(objectiveCount: number): SamplerKind[] {
  return samplerCatalogue
    .filter((sampler) => suitsObjectives(sampler.objectives, objectiveCount))
    .map((sampler) => sampler.kind);
}

/** The pruners that suit a study with this many objectives. */
export function prunersFor(objectiveCount: number): PrunerKind[] {
  return prunerCatalogue
    .filter((pruner) => suitsObjectives(pruner.objectives, objectiveCount))
    .map((pruner) => pruner.kind);
}

/**
 * The description's first sentence: the line a form shows under a setting, whose tooltip and the
 * spec reference say the rest.
 */
export function summaryOf(field: CatalogueField): string | undefined {
  // A sentence ends before a capital letter or at the end, so "e.g. 3e-4" does not end one.
  const sentence = field.description?.match(/^.+?[.!?](?=\s+[A-Z]|$)/)?.[0];
  return sentence ?? field.description;
}

/** What a row's tooltip says: the setting's description and the values it allows. */
export function fieldHint(field: CatalogueField): string | undefined {
  const allowed = field.allowed === "" || field.kind === "enum" ? "" : `Allowed: ${field.allowed}.`;
  return [field.description, allowed].filter(Boolean).join(" ") || undefined;
}
