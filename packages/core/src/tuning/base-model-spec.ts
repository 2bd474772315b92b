// What a study or a strategy run that starts from a pretrained model (its `model`) may not say:
// the model's architecture and tokenizer are its own.
import { ARCHITECTURE_SETTINGS } from "../trial/settings-schema.ts";

export const CLASSIFICATION_FROM_MODEL =
  "task classification cannot start from a pretrained model: it has no classifier head";

/** The settings a pretrained model decides: what starts from one sets none of them. */
export const MODEL_DECIDES: ReadonlySet<string> = new Set([...ARCHITECTURE_SETTINGS, "tokenizer"]);

interface SpecWithModel {
  model?: string;
  task: string;
  fixed: Record<string, unknown>;
  searchSpace: Record<string, unknown>;
}

export function baseModelSpecIssues(spec: SpecWithModel): { path: string[]; message: string }[] {
  if (spec.model === undefined) return [];
  const decided = (part: "fixed" | "searchSpace") =>
    Object.keys(spec[part])
      .filter((name) => MODEL_DECIDES.has(name))
      .map((name) => ({
        path: [part, name],
        message: `"${name}" comes from the model "${spec.model}": training that starts from a model keeps its architecture and tokenizer`,
      }));
  return [
    ...decided("fixed"),
    ...decided("searchSpace"),
    ...(spec.task === "classification"
      ? [{ path: ["model"], message: CLASSIFICATION_FROM_MODEL }]
      : []),
  ];
}
