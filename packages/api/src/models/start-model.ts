// A model that training starts from (a study's `model`, a strategy run's): the project's, by name
// or id, and ready.
import { type Executor, findModelByReference } from "@attune/db";

/** Why the project's model named by `reference` cannot start trials, if it cannot. */
export async function modelProblem(
  db: Executor,
  projectId: string,
  reference: string,
): Promise<string | undefined> {
  const model = await findModelByReference(db, projectId, reference);
  if (!model) return `the project has no model "${reference}"`;
  if (model.status !== "ready") {
    return `model "${model.name}" is ${model.status}${model.error ? ` (${model.error})` : ""}: trials start only from a ready model, its upload complete and checked`;
  }
  return undefined;
}
