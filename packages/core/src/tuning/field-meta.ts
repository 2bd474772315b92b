// What the spec's schemas say about a field beyond its type, default and description, for the
// forms built from them (zod's documented way: declaration merging into its GlobalMeta). A field
// without these still appears in a form, under its own name.
import type { z } from "zod";
import type { ScheduleKind } from "../train/schedules.ts";

/** Where the new-study form shows a trainer setting. */
export type SettingGroup =
  | "training"
  | "schedule"
  | "architecture"
  | "finetune"
  | "budget"
  | "more";

/** The objective counts a sampler or pruner suits. */
export type ObjectiveFit = "one" | "several" | "any";

declare module "zod" {
  interface GlobalMeta {
    /** A short name for a form: "Learning rate". */
    label?: string;
    group?: SettingGroup;
    /** A schedule's setting: the schedules that read it. */
    schedules?: readonly ScheduleKind[];
    /** A range of it is searched on a log scale by default (learning rates, tiny constants). */
    logScale?: boolean;
    /** What applies when the field is left out, where that depends on other settings. */
    defaultNote?: string;
    objectives?: ObjectiveFit;
    /** A sampler or pruner only a written spec can use: the form has no fields for its lists. */
    formless?: boolean;
  }
}

/** Whether a sampler or pruner that suits `fit` suits a study with this many objectives. */
export function suitsObjectives(fit: ObjectiveFit, objectiveCount: number): boolean {
  return fit === "any" || (fit === "one") === objectiveCount <= 1;
}

/** The objective counts each kind of a union suits, read from its metadata alone (no JSON). */
export function objectiveFits<Kind extends string>(
  options: readonly z.ZodType[],
): Map<Kind, ObjectiveFit> {
  return new Map(
    options.map((option) => {
      const shape = (option as z.ZodObject).shape;
      const kind = (shape.kind as z.ZodLiteral<Kind>).value;
      return [kind, option.meta()?.objectives ?? "any"];
    }),
  );
}
