import { describe, expect, it } from "vitest";
import { listAudit, recordAudit } from "../src/queries/audit.ts";
import { createApiKey } from "../src/queries/teams.ts";
import { seedTeam } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

describe("audit log", () => {
  it("records entries and lists a team's newest first, up to a limit", async () => {
    const { owner, team } = await seedTeam(test.db);
    const { team: otherTeam } = await seedTeam(test.db);
    const key = await createApiKey(test.db, {
      key: "hash",
      referenceId: owner.id,
      teamId: team.id,
    });

    const created = await recordAudit(test.db, {
      teamId: team.id,
      actorUserId: owner.id,
      action: "study.create",
      targetType: "study",
      targetId: "study-1",
      details: { name: "baseline", budget: { trials: 20 }, tags: ["a", "b"] },
    });
    expect(created).toMatchObject({
      actorApiKeyId: null,
      details: { name: "baseline", budget: { trials: 20 }, tags: ["a", "b"] },
    });
    const byKey = await recordAudit(test.db, {
      teamId: team.id,
      actorApiKeyId: key.id,
      action: "trial.cancel",
      targetType: "trial",
      targetId: "trial-1",
    });
    expect(byKey).toMatchObject({ actorUserId: null, details: {} });
    await recordAudit(test.db, {
      teamId: otherTeam.id,
      action: "project.delete",
      targetType: "project",
      targetId: "p",
    });
    await recordAudit(test.db, { action: "user.signup", targetType: "user", targetId: owner.id });

    expect(await listAudit(test.db, team.id)).toEqual([byKey, created]);
    expect(await listAudit(test.db, team.id, 1)).toEqual([byKey]);
  });

  it("orders entries made in one transaction by insertion", async () => {
    const { team } = await seedTeam(test.db);
    const entries = await test.db.transaction(async (tx) => [
      await recordAudit(tx, { teamId: team.id, action: "a", targetType: "t", targetId: "1" }),
      await recordAudit(tx, { teamId: team.id, action: "b", targetType: "t", targetId: "2" }),
    ]);
    expect(entries[0]?.createdAt).toEqual(entries[1]?.createdAt);
    expect((await listAudit(test.db, team.id)).map((e) => e.action)).toEqual(["b", "a"]);
  });
});
