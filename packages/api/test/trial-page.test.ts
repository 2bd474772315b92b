// What the trial page reads: the trial with its settings, runner and audit, its checkpoints, how
// trained the one the playground generates from is, and a checkpoint's bytes downloaded over plain
// HTTP under the same access rules as the API.
import {
  claimTrial,
  createApiKey,
  createNextTrial,
  registerRunner,
  saveCheckpoint,
  writeGenerationSamples,
  writeMetrics,
} from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../src/api-keys.ts";
import { checkpointDownload } from "../src/downloads.ts";
import { APP_URL, type SignedUpUser, useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople, type World } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
});

const BYTES = Buffer.from("ATTUNECK checkpoint bytes \u0000\u0001\u00ff");

async function storeCheckpoints(world: World) {
  await saveCheckpoint(api.db, {
    trialId: world.bestTrial.id,
    kind: "last",
    step: 40,
    data: BYTES,
    sizeBytes: BYTES.byteLength,
  });
  await saveCheckpoint(api.db, {
    trialId: world.bestTrial.id,
    kind: "best",
    step: 30,
    storageRef: "s3://bucket/best",
    sizeBytes: 1234,
  });
}

describe("trials.get", () => {
  it("gives the trial's whole settings, its runner and who changed its state", async () => {
    const world = await seedWorld(api.db, people);
    const runner = await registerRunner(api.db, {
      name: "runner-a",
      host: "gpu-host",
      pid: 42,
      backend: "native",
      device: "cpu",
      cores: 2,
      capacity: 1,
    });
    await claimTrial(api.db, world.queuedTrial.id, runner.id);
    await api.as(people.member).trials.cancel({ trialId: world.queuedTrial.id });

    const trial = await api.as(people.viewer).trials.get({ trialId: world.queuedTrial.id });
    expect(trial).toMatchObject({ id: world.queuedTrial.id, state: "cancelled", attempts: 1 });
    expect(trial.settings).toMatchObject({
      ok: true,
      values: { lr: 0.001, optimizer: "adamw", schedule: "cosine", batch_size: 16 },
    });
    expect(trial.runner).toMatchObject({ name: "runner-a", host: "gpu-host", alive: true });
    expect(trial.audit).toEqual([
      expect.objectContaining({
        action: "trial.cancel",
        actor: { name: people.member.name, email: people.member.email },
      }),
    ]);
  });

  it("says why settings cannot be trained, and that no runner has had the trial", async () => {
    const world = await seedWorld(api.db, people);
    const broken = await createNextTrial(api.db, {
      studyId: world.runningStudy.id,
      params: { lr: -1 },
    });
    const trial = await api.as(people.viewer).trials.get({ trialId: broken.id });
    expect(trial.settings).toEqual({ ok: false, error: expect.stringContaining("lr") });
    expect(trial.runner).toBeNull();
    expect(trial.audit).toEqual([]);
  });

  it("lists its study's pause and resume while it was unfinished", async () => {
    const world = await seedWorld(api.db, people);
    await api.as(people.member).studies.pause({ studyId: world.runningStudy.id });
    await api.as(people.member).studies.resume({ studyId: world.runningStudy.id });
    const trial = await api.as(people.viewer).trials.get({ trialId: world.queuedTrial.id });
    expect(trial.audit.map((entry) => entry.action)).toEqual(["study.pause", "study.resume"]);
  });
});

describe("trials.checkpoints", () => {
  it("lists the trial's checkpoints without their bytes", async () => {
    const world = await seedWorld(api.db, people);
    expect(await api.as(people.viewer).trials.checkpoints({ trialId: world.bestTrial.id })).toEqual(
      [],
    );
    await storeCheckpoints(world);
    const listed = await api.as(people.viewer).trials.checkpoints({ trialId: world.bestTrial.id });
    expect(listed).toEqual([
      expect.objectContaining({
        kind: "best",
        step: 30,
        sizeBytes: 1234,
        storageRef: "s3://bucket/best",
      }),
      expect.objectContaining({
        kind: "last",
        step: 40,
        sizeBytes: BYTES.byteLength,
        storageRef: null,
      }),
    ]);
    for (const checkpoint of listed) expect(checkpoint).not.toHaveProperty("data");
  });
});

describe("trials.generationSource", () => {
  it("says how trained the checkpoint generation uses is, as the metrics stood at its step", async () => {
    const world = await seedWorld(api.db, people);
    const trialId = world.bestTrial.id;
    const source = () => api.as(people.viewer).trials.generationSource({ trialId });
    expect(await source()).toBeNull();

    const points: [string, number, number][] = [
      ["baseline_val_loss", 0, 3.05],
      ["val_loss", 4, 2.9],
      ["val_loss", 8, 2.4],
      ["val_loss", 10, 2.5],
      ["train_loss", 8, 2.3],
    ];
    await writeMetrics(
      api.db,
      points.map(([key, step, value]) => ({ trialId, key, step, value })),
    );
    const save = (kind: "best" | "last", step: number) =>
      saveCheckpoint(api.db, {
        trialId,
        kind,
        step,
        data: BYTES,
        sizeBytes: BYTES.byteLength,
      });
    // The world's study trains 10 steps with default settings: 16 rows of 64 characters a step.
    await save("last", 9);
    expect(await source()).toEqual({
      kind: "last",
      step: 9,
      steps: 10,
      tokensSeen: 9 * 16 * 64,
      task: "language-modelling",
      tokenizer: "char",
      metrics: {
        val_loss: { step: 8, value: 2.4 },
        baseline_val_loss: { step: 0, value: 3.05 },
      },
    });
    await save("best", 4);
    expect(await source()).toMatchObject({
      kind: "best",
      step: 4,
      tokensSeen: 4 * 1024,
      metrics: { val_loss: { step: 4, value: 2.9 } },
    });
  });
});

describe("trials.samples", () => {
  it("gives the latest evaluation's samples by default, any other on request", async () => {
    const world = await seedWorld(api.db, people);
    const trialId = world.bestTrial.id;
    const viewer = api.as(people.viewer);
    expect(await viewer.trials.samples({ trialId })).toEqual({
      steps: [],
      step: null,
      samples: [],
    });

    const sample = (step: number, position: number) => ({
      trialId,
      step,
      position,
      prompt: `prompt ${position}`,
      reference: `reference ${position}`,
      generated: `generated at ${step}`,
    });
    await writeGenerationSamples(api.db, [sample(100, 1), sample(100, 0), sample(200, 0)]);

    expect(await viewer.trials.samples({ trialId })).toEqual({
      steps: [200, 100],
      step: 200,
      samples: [
        {
          position: 0,
          prompt: "prompt 0",
          reference: "reference 0",
          generated: "generated at 200",
        },
      ],
    });
    const earlier = await viewer.trials.samples({ trialId, step: 100 });
    expect(earlier.samples.map((s) => s.position)).toEqual([0, 1]);
    await expect(viewer.trials.samples({ trialId, step: -1 })).rejects.toThrow(/step/);
  });
});

describe("a checkpoint download", () => {
  function download(headers: Record<string, string>, trialId: string, kind: string) {
    return checkpointDownload(
      { headers: new Headers(headers), db: api.db, auth: api.auth, appUrl: APP_URL },
      { trialId, kind },
    );
  }
  const as = (user: SignedUpUser) => ({ cookie: user.cookie });

  async function keyFor(user: SignedUpUser, teamId: string): Promise<string> {
    const secret = generateApiKey();
    await createApiKey(api.db, {
      referenceId: user.userId,
      teamId,
      key: secret.hash,
      start: secret.start,
    });
    return secret.key;
  }

  it("sends a team viewer the bytes as a named file", async () => {
    const world = await seedWorld(api.db, people);
    await storeCheckpoints(world);
    const response = await download(as(people.viewer), world.bestTrial.id, "last");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-length")).toBe(String(BYTES.byteLength));
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="running-trial-${world.bestTrial.number}-last-step-40.ckpt"`,
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(BYTES);

    const key = await keyFor(people.viewer, world.team.id);
    const byKey = await download({ authorization: `Bearer ${key}` }, world.bestTrial.id, "last");
    expect(Buffer.from(await byKey.arrayBuffer())).toEqual(BYTES);
  });

  it("answers another team's user and key exactly as for a missing trial", async () => {
    const world = await seedWorld(api.db, people);
    await storeCheckpoints(world);
    const missing = "00000000-0000-4000-8000-000000000000";
    const hidden = await download(as(people.outsider), world.bestTrial.id, "last");
    const absent = await download(as(people.owner), missing, "last");
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(await hidden.json()).toEqual({
      error: { code: "NOT_FOUND", message: `trial ${world.bestTrial.id} not found` },
    });
    expect(await absent.json()).toEqual({
      error: { code: "NOT_FOUND", message: `trial ${missing} not found` },
    });
    // The outsider's key, for their own team, does not reach this one either.
    const [outsiderTeam] = await api.as(people.outsider).teams.list();
    const key = await keyFor(people.outsider, outsiderTeam?.id ?? "");
    const byKey = await download({ authorization: `Bearer ${key}` }, world.bestTrial.id, "last");
    expect(byKey.status).toBe(404);
  });

  it("refuses the anonymous, a bad key, a wrong kind, a missing and an external checkpoint", async () => {
    const world = await seedWorld(api.db, people);
    const trialId = world.bestTrial.id;
    expect((await download({}, trialId, "last")).status).toBe(401);
    expect((await download({ authorization: "Bearer nope" }, trialId, "last")).status).toBe(401);
    expect((await download({ authorization: "Basic x" }, trialId, "last")).status).toBe(401);
    expect((await download(as(people.viewer), trialId, "newest")).status).toBe(400);
    expect((await download(as(people.viewer), "not-a-uuid", "last")).status).toBe(400);

    const none = await download(as(people.viewer), trialId, "last");
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({
      error: { message: `trial ${trialId} has no last checkpoint` },
    });
    await storeCheckpoints(world);
    const external = await download(as(people.viewer), trialId, "best");
    expect(external.status).toBe(412);
    expect(await external.json()).toMatchObject({
      error: { code: "PRECONDITION_FAILED", message: expect.stringContaining("external storage") },
    });
  });
});
