// Who may call what: every procedure as anonymous, as a member of another team, and as each role,
// with the outcome each must have. A refused call changes nothing; an allowed change is audited.
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/root.ts";
import { callAt, databaseFingerprint, outcomeOf, procedureAt, useApi } from "./harness.ts";
import { missingId, procedureCases } from "./procedures.ts";
import { CALLERS, type People, seedWorld, signUpPeople } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
});

async function auditEntriesBy(userId: string): Promise<number> {
  const result = await api.db.$client.query<{ entries: number }>(
    "select count(*)::int as entries from audit_log where actor_user_id = $1",
    [userId],
  );
  return result.rows[0]?.entries ?? 0;
}

it("the table covers every procedure of the router", () => {
  expect(procedureCases.map((row) => row.path).sort()).toEqual(
    Object.keys(appRouter._def.procedures).sort(),
  );
});

describe.each(procedureCases)("$path", ({ path, outcomes, input }) => {
  const isMutation = procedureAt(path)._def.type === "mutation";

  it.each(CALLERS.map((caller, i) => ({ caller, expected: outcomes[i] })))(
    "as $caller: $expected",
    async ({ caller, expected }) => {
      const world = await seedWorld(api.db, people);
      const actor = caller === "anonymous" ? undefined : people[caller];
      const callerApi = actor ? api.as(actor) : api.anonymous();
      const before = await databaseFingerprint(api.db);
      const auditBefore = actor ? await auditEntriesBy(actor.userId) : 0;

      const outcome = await outcomeOf(callAt(callerApi, path, input(world, people, caller)));

      expect(outcome).toBe(expected);
      if (expected !== "ok" || !isMutation) {
        expect(await databaseFingerprint(api.db)).toEqual(before);
      } else if (actor) {
        expect(await auditEntriesBy(actor.userId)).toBe(auditBefore + 1);
      }
    },
  );
});

describe("a resource of another team", () => {
  it.each([
    ["teams.get", "teamId", "team"],
    ["projects.get", "projectId", "project"],
    ["datasets.get", "datasetId", "dataset"],
    ["models.get", "modelId", "model"],
    ["studies.get", "studyId", "study"],
    ["trials.cancel", "trialId", "trial"],
  ] as const)("answers %s exactly as a missing one", async (path, field, kind) => {
    const world = await seedWorld(api.db, people);
    const ids = {
      teamId: world.team.id,
      projectId: world.project.id,
      datasetId: world.dataset.id,
      modelId: world.readyModel.id,
      studyId: world.draftStudy.id,
      trialId: world.queuedTrial.id,
    };
    const missing = missingId();
    // Each call is caught as it is made: a rejection left pending while another is awaited would
    // count as unhandled.
    const seen = await callAt(api.as(people.outsider), path, { [field]: ids[field] }).catch(
      (error: Error) => error,
    );
    const absent = await callAt(api.as(people.owner), path, { [field]: missing }).catch(
      (error: Error) => error,
    );
    expect(seen).toMatchObject({ code: "NOT_FOUND", message: `${kind} ${ids[field]} not found` });
    expect(absent).toMatchObject({ code: "NOT_FOUND", message: `${kind} ${missing} not found` });
  });
});
