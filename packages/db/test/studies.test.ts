import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { registerRunner } from "../src/queries/runners.ts";
import {
  createStudy,
  getStudy,
  listStudies,
  listStudySummaries,
  reserveTrialNumber,
  setBestTrial,
  updateStudyStatus,
} from "../src/queries/studies.ts";
import {
  createNextTrial,
  createTrial,
  getTrial,
  incrementTrialAttempts,
  listTrials,
  updateTrial,
} from "../src/queries/trials.ts";
import { seedProject, seedStudy } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

/** A well-formed id that no row has. */
const MISSING_ID = "00000000-0000-4000-8000-000000000000";

const test = useTestDatabase();

describe("studies", () => {
  it("round-trip their spec and seed, and are listed newest first", async () => {
    const { owner, project, study: older } = await seedStudy(test.db);
    const input = {
      projectId: project.id,
      name: "warm",
      spec: {
        task: "char-lm",
        objectives: [{ metric: "val_loss", direction: "minimize" }],
        space: { lr: { type: "float", low: 1e-4, high: 1e-1, log: true } },
        nested: { flags: [true, false, null] },
      },
      seed: 2 ** 40 + 3,
      warmStartStudyId: older.id,
      createdBy: owner.id,
    };
    const study = await createStudy(test.db, input);
    expect(study).toMatchObject({
      ...input,
      status: "draft",
      nextTrialNumber: 0,
      bestTrialId: null,
      startedAt: null,
      finishedAt: null,
    });
    expect(await getStudy(test.db, study.id)).toEqual(study);
    expect(await listStudies(test.db, project.id)).toEqual([study, older]);
    await expect(createStudy(test.db, input)).rejects.toThrow();
  });

  it("stamp startedAt on the first run and finishedAt when finished, and keep why one failed until it runs again", async () => {
    const { study } = await seedStudy(test.db);
    const running = await updateStudyStatus(test.db, study.id, "running");
    expect(running.status).toBe("running");
    expect(running.startedAt).toBeInstanceOf(Date);
    expect(running.finishedAt).toBeNull();

    const paused = await updateStudyStatus(test.db, study.id, "paused");
    expect(paused).toMatchObject({
      status: "paused",
      startedAt: running.startedAt,
      finishedAt: null,
    });
    const resumed = await updateStudyStatus(test.db, study.id, "running");
    expect(resumed.startedAt).toEqual(running.startedAt);

    const failed = await updateStudyStatus(test.db, study.id, "failed", "over the limits");
    expect(failed).toMatchObject({ error: "over the limits", startedAt: running.startedAt });
    expect(failed.finishedAt?.getTime()).toBeGreaterThanOrEqual(
      running.startedAt?.getTime() ?? Number.POSITIVE_INFINITY,
    );
    const retried = await updateStudyStatus(test.db, study.id, "running");
    expect(retried).toMatchObject({ startedAt: running.startedAt, finishedAt: null, error: null });
    expect((await updateStudyStatus(test.db, study.id, "completed")).finishedAt).toBeInstanceOf(
      Date,
    );

    await expect(updateStudyStatus(test.db, MISSING_ID, "running")).rejects.toThrow(
      `no study ${MISSING_ID}`,
    );
  });

  it("point at a best trial of their own only", async () => {
    const { study } = await seedStudy(test.db);
    const { study: other } = await seedStudy(test.db);
    const trial = await createNextTrial(test.db, { studyId: study.id, params: {} });
    const foreign = await createNextTrial(test.db, { studyId: other.id, params: {} });

    expect((await setBestTrial(test.db, study.id, trial.id)).bestTrialId).toBe(trial.id);
    await expect(setBestTrial(test.db, study.id, foreign.id)).rejects.toThrow(
      `no study ${study.id} with a trial ${foreign.id}`,
    );
    expect((await getStudy(test.db, study.id))?.bestTrialId).toBe(trial.id);
  });
});

describe("reserveTrialNumber", () => {
  it("hands out 0, 1, 2, ... and gives a number back when its transaction rolls back", async () => {
    const { study } = await seedStudy(test.db);
    expect(await reserveTrialNumber(test.db, study.id)).toBe(0);
    expect(await reserveTrialNumber(test.db, study.id)).toBe(1);
    const rollback = new Error("rollback");
    await expect(
      test.db.transaction(async (tx) => {
        expect(await reserveTrialNumber(tx, study.id)).toBe(2);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await reserveTrialNumber(test.db, study.id)).toBe(2);
    await expect(reserveTrialNumber(test.db, MISSING_ID)).rejects.toThrow(
      `no study ${MISSING_ID} to reserve a trial number in`,
    );
  });

  it("gives 20 concurrent transactions distinct numbers", async () => {
    const { study } = await seedStudy(test.db);
    const numbers = await Promise.all(
      Array.from({ length: 20 }, () =>
        test.db.transaction(async (tx) => {
          const number = await reserveTrialNumber(tx, study.id);
          // Hold the row lock a moment so the other transactions pile up behind it.
          await tx.execute(sql`select pg_sleep(0.01)`);
          return number;
        }),
      ),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await getStudy(test.db, study.id))?.nextTrialNumber).toBe(20);
  });
});

describe("trials", () => {
  it("round-trip params, values, runner and timings", async () => {
    const { study } = await seedStudy(test.db);
    const runner = await registerRunner(test.db, {
      name: "runner-1",
      host: "localhost",
      pid: 1234,
      backend: "wasm",
      device: "cpu",
      cores: 2,
      capacity: 2,
    });
    const input = {
      studyId: study.id,
      number: 7,
      params: { lr: 0.003, layers: 2, activation: "gelu", tieWeights: true },
      state: "running" as const,
      values: [1.25, -0.5],
      lastStep: 100,
      runnerId: runner.id,
      startedAt: new Date("2026-01-02T03:04:05.678Z"),
    };
    const trial = await createTrial(test.db, input);
    expect(trial).toMatchObject({ ...input, attempts: 0, error: null, finishedAt: null });
    expect(trial.queuedAt).toBeInstanceOf(Date);
    expect(await getTrial(test.db, trial.id)).toEqual(trial);
  });

  it("have numbers unique within a study but not across studies", async () => {
    const { study } = await seedStudy(test.db);
    const { study: other } = await seedStudy(test.db);
    await createTrial(test.db, { studyId: study.id, number: 3, params: {} });
    await expect(
      createTrial(test.db, { studyId: study.id, number: 3, params: { lr: 1 } }),
    ).rejects.toMatchObject({ cause: { code: "23505" } });
    await expect(
      createTrial(test.db, { studyId: other.id, number: 3, params: {} }),
    ).resolves.toMatchObject({ studyId: other.id, number: 3 });
  });

  it("take reserved numbers, and are listed by number with an optional state filter", async () => {
    const { study } = await seedStudy(test.db);
    const [first, second, third] = await Promise.all(
      [0, 1, 2].map((i) => createNextTrial(test.db, { studyId: study.id, params: { i } })),
    );
    expect(new Set([first?.number, second?.number, third?.number])).toEqual(new Set([0, 1, 2]));
    const all = await listTrials(test.db, study.id);
    expect(all.map((t) => t.number)).toEqual([0, 1, 2]);

    const zero = all[0];
    const one = all[1];
    if (!zero || !one) throw new Error("expected three trials");
    await updateTrial(test.db, zero.id, { state: "running" });
    await updateTrial(test.db, one.id, { state: "completed" });
    expect((await listTrials(test.db, study.id, ["running"])).map((t) => t.number)).toEqual([0]);
    expect(
      (await listTrials(test.db, study.id, ["queued", "completed"])).map((t) => t.number),
    ).toEqual([1, 2]);
    expect(await listTrials(test.db, study.id, [])).toEqual([]);
  });

  it("are updated and count attempts", async () => {
    const { study } = await seedStudy(test.db);
    const trial = await createNextTrial(test.db, { studyId: study.id, params: { lr: 0.1 } });
    const update = {
      state: "failed" as const,
      values: [0.75],
      error: "NaN loss at step 40",
      lastStep: 40,
      startedAt: new Date("2026-02-03T04:05:06.789Z"),
      finishedAt: new Date("2026-02-03T05:05:06.789Z"),
    };
    const updated = await updateTrial(test.db, trial.id, update);
    expect(updated).toMatchObject({ ...update, params: { lr: 0.1 }, number: trial.number });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(trial.updatedAt.getTime());
    expect(await getTrial(test.db, trial.id)).toEqual(updated);

    expect(await incrementTrialAttempts(test.db, trial.id)).toBe(1);
    expect(await incrementTrialAttempts(test.db, trial.id)).toBe(2);
    expect((await getTrial(test.db, trial.id))?.attempts).toBe(2);
    await expect(incrementTrialAttempts(test.db, MISSING_ID)).rejects.toThrow(
      `no trial ${MISSING_ID}`,
    );
  });

  it("are listed only for their study", async () => {
    const { project } = await seedProject(test.db);
    const a = await createStudy(test.db, { projectId: project.id, name: "a", spec: {}, seed: 1 });
    const b = await createStudy(test.db, { projectId: project.id, name: "b", spec: {}, seed: 2 });
    await createNextTrial(test.db, { studyId: a.id, params: {} });
    expect(await listTrials(test.db, b.id)).toEqual([]);
    expect(await listTrials(test.db, a.id)).toHaveLength(1);
  });
});

describe("listStudySummaries", () => {
  it("gives each study of the project its trial counts and best values", async () => {
    const { project, study: empty } = await seedStudy(test.db);
    const busy = await createStudy(test.db, {
      projectId: project.id,
      name: "busy",
      spec: {},
      seed: 1,
    });
    const state = async (next: "running" | "completed" | "pruned", values?: number[]) => {
      const trial = await createNextTrial(test.db, { studyId: busy.id, params: {} });
      return updateTrial(test.db, trial.id, { state: next, values: values ?? null });
    };
    await state("running");
    await state("completed", [2.5]);
    const best = await state("completed", [1.5]);
    await state("pruned");
    await createNextTrial(test.db, { studyId: busy.id, params: {} });
    await setBestTrial(test.db, busy.id, best.id);
    // Another project's study and trials count for nothing here.
    const { study: elsewhere } = await seedStudy(test.db);
    await createNextTrial(test.db, { studyId: elsewhere.id, params: {} });

    const summaries = await listStudySummaries(test.db, project.id);
    expect(summaries.map((study) => study.id)).toEqual([busy.id, empty.id]);
    expect(summaries[0]).toMatchObject({
      name: "busy",
      bestTrialId: best.id,
      trialCounts: { total: 5, running: 1, completed: 2 },
      bestValues: [1.5],
    });
    expect(summaries[1]).toMatchObject({
      ...empty,
      trialCounts: { total: 0, running: 0, completed: 0 },
      bestValues: null,
    });
  });
});
