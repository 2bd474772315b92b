import { describe, expect, it } from "vitest";
import { listAudit, listTrialAudit, recordAudit } from "../src/queries/audit.ts";
import { createApiKey } from "../src/queries/teams.ts";
import { createNextTrial, updateTrial } from "../src/queries/trials.ts";
import { auditLog } from "../src/schema/index.ts";
import { seedStudy, seedTeam } from "../src/seed.ts";
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

describe("a trial's audit", () => {
  it("lists its cancellation and its study's pauses, resumes and cancellation while it was unfinished", async () => {
    const { owner, team, study } = await seedStudy(test.db);
    const trial = await createNextTrial(test.db, { studyId: study.id, params: {} });
    const other = await createNextTrial(test.db, { studyId: study.id, params: {} });
    const at = (offsetMs: number) => new Date(trial.queuedAt.getTime() + offsetMs);
    const entry = (action: string, targetType: string, targetId: string, offsetMs: number) => ({
      teamId: team.id,
      actorUserId: owner.id,
      action,
      targetType,
      targetId,
      createdAt: at(offsetMs),
    });
    await test.db
      .insert(auditLog)
      .values([
        entry("study.pause", "study", study.id, -60_000),
        entry("study.pause", "study", study.id, 1_000),
        entry("study.start", "study", study.id, 1_500),
        entry("study.resume", "study", study.id, 2_000),
        entry("trial.cancel", "trial", other.id, 2_500),
        entry("trial.cancel", "trial", trial.id, 3_000),
        entry("study.cancel", "study", study.id, 60_000),
      ]);
    const finished = await updateTrial(test.db, trial.id, {
      state: "cancelled",
      finishedAt: at(3_000),
    });

    const entries = await listTrialAudit(test.db, finished);
    expect(
      entries.map((e) => [e.action, e.createdAt.getTime() - trial.queuedAt.getTime()]),
    ).toEqual([
      ["study.pause", 1_000],
      ["study.resume", 2_000],
      ["trial.cancel", 3_000],
    ]);
    expect(entries[0]?.actor).toEqual({ name: owner.name, email: owner.email });
    // Unfinished, the window stays open.
    expect(await listTrialAudit(test.db, { ...finished, finishedAt: null })).toHaveLength(4);
  });
});
