// What the procedures do when they are allowed to: the rules beyond who may call them.
import {
  createNextTrial,
  getMemberRole,
  getStudy,
  getTrial,
  listAudit,
  listTrials,
  registerRunner,
  writeMetrics,
} from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { APP_URL, uniqueName, useApi } from "./harness.ts";
import {
  type People,
  SAMPLE_JSONL,
  seedWorld,
  signUpPeople,
  studySpecText,
  WANDB_SWEEP,
  type World,
} from "./world.ts";

const api = useApi();
let people: People;
let world: World;

beforeAll(async () => {
  people = await signUpPeople(api);
});

async function freshWorld() {
  world = await seedWorld(api.db, people);
  return world;
}

async function latestAudit(teamId: string) {
  const [entry] = await listAudit(api.db, teamId, 1);
  return entry;
}

describe("teams and members", () => {
  it("transfers ownership, leaving the old owner an admin", async () => {
    const { team } = await freshWorld();
    await api
      .as(people.owner)
      .teams.transferOwnership({ teamId: team.id, userId: people.member.userId });
    expect(await getMemberRole(api.db, team.id, people.member.userId)).toBe("owner");
    expect(await getMemberRole(api.db, team.id, people.owner.userId)).toBe("admin");
    expect(await latestAudit(team.id)).toMatchObject({
      action: "team.ownership.transfer",
      actorUserId: people.owner.userId,
      targetId: people.member.userId,
    });
  });

  it("never changes or removes the owner from the members procedures", async () => {
    const { team } = await freshWorld();
    const asAdmin = api.as(people.admin);
    await expect(
      asAdmin.members.setRole({ teamId: team.id, userId: people.owner.userId, role: "viewer" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      asAdmin.members.remove({ teamId: team.id, userId: people.owner.userId }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      asAdmin.members.setRole({
        teamId: team.id,
        userId: people.member.userId,
        role: "owner" as never,
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await getMemberRole(api.db, team.id, people.owner.userId)).toBe("owner");
  });

  it("lists members with their names, the owner first", async () => {
    const { team } = await freshWorld();
    const members = await api.as(people.viewer).members.list({ teamId: team.id });
    expect(members[0]).toMatchObject({
      userId: people.owner.userId,
      role: "owner",
      email: people.owner.email,
    });
    expect(members).toHaveLength(4);
  });

  it("answers a taken slug with a conflict", async () => {
    const slug = uniqueName("taken");
    await api.as(people.owner).teams.create({ name: "First", slug });
    await expect(
      api.as(people.member).teams.create({ name: "Second", slug }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(slug),
    });
  });
});

describe("invitations", () => {
  it("are sent as a link that the invited user accepts into the invited role", async () => {
    const { team } = await freshWorld();
    const invitee = await api.signUp("invitee");
    const { invitation, link } = await api
      .as(people.admin)
      .invitations.create({ teamId: team.id, email: invitee.email.toUpperCase(), role: "viewer" });
    expect(link).toBe(`${APP_URL}/invitations/${invitation.id}`);
    expect(api.sentMail.at(-1)).toMatchObject({
      to: invitee.email,
      text: expect.stringContaining(link),
    });

    await expect(
      api.as(people.member).invitations.accept({ invitationId: invitation.id }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // What the invitee sees before accepting; to anyone else it does not exist.
    expect(await api.as(invitee).invitations.get({ invitationId: invitation.id })).toMatchObject({
      id: invitation.id,
      email: invitee.email,
      role: "viewer",
      status: "pending",
      expired: false,
      team: { id: team.id, name: team.name },
      inviter: { name: people.admin.name, email: people.admin.email },
      memberRole: null,
    });
    await expect(
      api.as(people.admin).invitations.get({ invitationId: invitation.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await api.as(invitee).invitations.accept({ invitationId: invitation.id });
    expect(await getMemberRole(api.db, team.id, invitee.userId)).toBe("viewer");
    expect(await api.as(invitee).invitations.get({ invitationId: invitation.id })).toMatchObject({
      status: "accepted",
      memberRole: "viewer",
    });
    await expect(
      api.as(invitee).invitations.accept({ invitationId: invitation.id }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("cannot be accepted once revoked or expired", async () => {
    const { team, invitation } = await freshWorld();
    await api.as(people.admin).invitations.revoke({ teamId: team.id, invitationId: invitation.id });
    await expect(
      api.as(people.outsider).invitations.accept({ invitationId: invitation.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    const { invitation: second } = await api
      .as(people.admin)
      .invitations.create({ teamId: team.id, email: people.outsider.email, role: "member" });
    await api.db.$client.query(
      "update team_invitations set expires_at = now() - interval '1 second' where id = $1",
      [second.id],
    );
    await expect(
      api.as(people.outsider).invitations.accept({ invitationId: second.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("expired"),
    });
    expect(await getMemberRole(api.db, team.id, people.outsider.userId)).toBeUndefined();
    expect(
      await api.as(people.outsider).invitations.get({ invitationId: second.id }),
    ).toMatchObject({ status: "pending", expired: true });
    expect(
      await api.as(people.outsider).invitations.get({ invitationId: invitation.id }),
    ).toMatchObject({ status: "canceled" });
  });

  it("are refused for someone already in the team", async () => {
    const { team } = await freshWorld();
    await expect(
      api
        .as(people.admin)
        .invitations.create({ teamId: team.id, email: people.viewer.email, role: "admin" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("datasets", () => {
  it("are parsed, measured and stored on upload", async () => {
    const { project } = await freshWorld();
    const dataset = await api.as(people.member).datasets.upload({
      projectId: project.id,
      name: "three lines",
      format: "jsonl",
      tokenizer: "byte",
      content: SAMPLE_JSONL,
    });
    expect(dataset).toMatchObject({
      source: "upload",
      origin: "three lines",
      sizeBytes: SAMPLE_JSONL.length,
    });
    // Byte tokens: one per byte of each text, and 256 byte values plus end-of-text.
    expect(dataset.statistics).toMatchObject({
      samples: 3,
      vocabularySize: 257,
      tokens: 22 + 34 + 5,
    });
  });

  it("refuse content that does not parse, with the line", async () => {
    const { project } = await freshWorld();
    await expect(
      api.as(people.member).datasets.upload({
        projectId: project.id,
        name: "broken",
        format: "jsonl",
        tokenizer: "char",
        content: '{"text": "fine"}\n{"text": 3}',
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^content: line 2: /),
    });
  });

  it("add a built-in corpus by name, without copying its text", async () => {
    const { project } = await freshWorld();
    const dataset = await api
      .as(people.member)
      .datasets.addBuiltin({ projectId: project.id, corpus: "moby-dick", tokenizer: "char" });
    expect(dataset).toMatchObject({
      name: "moby-dick",
      source: "builtin",
      origin: "moby-dick",
      sizeBytes: 0,
    });
    expect(dataset.statistics?.characters).toBeGreaterThan(1_000_000);
    const recommended = await api
      .as(people.viewer)
      .datasets.recommendSequenceLength({ datasetId: dataset.id });
    expect(recommended).toMatchObject({ basis: "preset", length: 1024 });
  });

  it("recommend a sequence length from their sample lengths", async () => {
    const { dataset } = await freshWorld();
    const recommended = await api
      .as(people.viewer)
      .datasets.recommendSequenceLength({ datasetId: dataset.id, percentile: 100 });
    // Char tokens: the longest of the three samples is 34 characters.
    expect(recommended).toMatchObject({ basis: "data", percentileLength: 34, length: 40 });
  });
});

describe("studies", () => {
  it("are listed with their trial counts and the best trial's values", async () => {
    const { project, runningStudy, draftStudy, bestTrial } = await freshWorld();
    const studies = await api.as(people.viewer).studies.list({ projectId: project.id });
    expect(studies.find((study) => study.id === runningStudy.id)).toMatchObject({
      status: "running",
      bestTrialId: bestTrial.id,
      trialCounts: { total: 2, running: 0, completed: 1 },
      bestValues: [1.25],
    });
    expect(studies.find((study) => study.id === draftStudy.id)).toMatchObject({
      trialCounts: { total: 0, running: 0, completed: 0 },
      bestValues: null,
    });
  });

  it("validate a spec with each problem's field", async () => {
    const { project, dataset } = await freshWorld();
    const result = await api.as(people.viewer).studies.validate({
      projectId: project.id,
      spec: "name: x\ntask: language-modelling\ndataset: nowhere\n",
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(["objectives", "searchSpace", "sampler", "budget"]),
    );
    const missingDataset = await api
      .as(people.viewer)
      .studies.validate({ projectId: project.id, spec: studySpecText("x", "nowhere") });
    expect(missingDataset).toEqual({
      ok: false,
      errors: [{ path: "dataset", message: 'the project has no dataset "nowhere"' }],
    });
    const untrainable = JSON.parse(studySpecText("x", dataset.name));
    untrainable.objectives = [{ metric: "val_accuracy", direction: "maximize" }];
    untrainable.fixed = { learning_rate: 0.1, dropout: 1 };
    untrainable.searchSpace.layers = { type: "float", low: 1, high: 4 };
    const refused = await api
      .as(people.viewer)
      .studies.validate({ projectId: project.id, spec: JSON.stringify(untrainable) });
    expect(refused).toEqual({
      ok: false,
      errors: [
        {
          path: "objectives",
          message:
            'objective metric "val_accuracy" is reported only by classification trials, this one is language-modelling',
        },
        { path: "fixed.learning_rate", message: '"learning_rate" is not a training setting' },
        {
          path: "fixed.dropout",
          message:
            "Too big: expected number to be <1, got 1 (dropout: Dropout probability while training.)",
        },
        {
          path: "searchSpace.layers.type",
          message: "layers takes whole numbers: search it with type: int",
        },
      ],
    });
  });

  it("are created as drafts with their seed stored, and refuse an invalid spec", async () => {
    const { project, dataset } = await freshWorld();
    const study = await api
      .as(people.member)
      .studies.create({ projectId: project.id, spec: studySpecText("first", dataset.name) });
    expect(study).toMatchObject({
      name: "first",
      status: "draft",
      createdBy: people.member.userId,
    });
    expect(study.spec).toMatchObject({ seed: study.seed, budget: { parallelTrials: 1 } });
    await expect(
      api.as(people.member).studies.create({ projectId: project.id, spec: "name: [unclosed" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^the study spec is invalid:/),
    });
    await expect(
      api
        .as(people.member)
        .studies.create({ projectId: project.id, spec: studySpecText("first", dataset.name) }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("move through their statuses only along the allowed paths", async () => {
    const { draftStudy } = await freshWorld();
    const asMember = api.as(people.member);
    const input = { studyId: draftStudy.id };
    await expect(asMember.studies.pause(input)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `cannot pause study ${draftStudy.id}: it is draft, and only a running study can be`,
    });
    expect(await asMember.studies.start(input)).toMatchObject({
      status: "running",
      startedAt: expect.any(Date),
    });
    expect(await asMember.studies.pause(input)).toMatchObject({ status: "paused" });
    expect(await asMember.studies.resume(input)).toMatchObject({ status: "running" });
    expect(await asMember.studies.cancel(input)).toMatchObject({
      status: "cancelled",
      finishedAt: expect.any(Date),
    });
    await expect(asMember.studies.resume(input)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    expect((await getStudy(api.db, draftStudy.id))?.status).toBe("cancelled");
  });

  it("warm-start only from a study of the same team", async () => {
    const { project, dataset, draftStudy } = await freshWorld();
    const elsewhere = await seedWorld(api.db, people);
    const withWarmStart = (studyId: string) =>
      JSON.stringify({
        ...JSON.parse(studySpecText("warm", dataset.name)),
        warmStart: { studyId },
      });
    const asMember = api.as(people.member);
    expect(
      await asMember.studies.validate({
        projectId: project.id,
        spec: withWarmStart(elsewhere.draftStudy.id),
      }),
    ).toEqual({
      ok: false,
      errors: [
        { path: "warmStart.studyId", message: `the team has no study ${elsewhere.draftStudy.id}` },
      ],
    });
    const study = await asMember.studies.create({
      projectId: project.id,
      spec: withWarmStart(draftStudy.id),
    });
    expect(study.warmStartStudyId).toBe(draftStudy.id);
  });

  it("clone under a new name with a fresh seed", async () => {
    const { draftStudy } = await freshWorld();
    const clone = await api
      .as(people.member)
      .studies.clone({ studyId: draftStudy.id, name: "copy" });
    expect(clone).toMatchObject({ name: "copy", status: "draft", projectId: draftStudy.projectId });
    expect(clone.spec).toMatchObject({
      name: "copy",
      seed: clone.seed,
      searchSpace: draftStudy.spec.searchSpace,
    });
  });

  it("export the best trial's configuration", async () => {
    const { runningStudy, draftStudy, bestTrial } = await freshWorld();
    expect(await api.as(people.viewer).studies.exportBest({ studyId: runningStudy.id })).toEqual({
      studyId: runningStudy.id,
      trialId: bestTrial.id,
      trialNumber: bestTrial.number,
      isBest: true,
      objectives: [{ metric: "val_loss", direction: "minimize" }],
      values: [1.25],
      config: { lr: 0.003 },
    });
    await expect(
      api.as(people.viewer).studies.exportBest({ studyId: draftStudy.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });

  it("export a completed trial of the study by its number", async () => {
    const { runningStudy, paretoStudy, queuedTrial } = await freshWorld();
    const asViewer = api.as(people.viewer).studies;
    const [, second] = await listTrials(api.db, paretoStudy.id);
    if (!second) throw new Error("the world's Pareto study has two trials");
    expect(
      await asViewer.exportBest({ studyId: paretoStudy.id, trialNumber: second.number }),
    ).toEqual({
      studyId: paretoStudy.id,
      trialId: second.id,
      trialNumber: second.number,
      isBest: false,
      objectives: paretoStudy.spec.objectives,
      values: [1.25, 600],
      config: { lr: 0.005 },
    });
    // A number the study has not reached is missing; a trial still waiting has nothing to export.
    await expect(
      asViewer.exportBest({ studyId: paretoStudy.id, trialNumber: 99 }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      asViewer.exportBest({ studyId: runningStudy.id, trialNumber: queuedTrial.number }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: /is queued/ });
  });

  it("import a W&B sweep with warnings, and refuse what is not one", async () => {
    const imported = await api.as(people.viewer).studies.importWandb({ config: WANDB_SWEEP });
    expect(imported.spec.searchSpace).toHaveProperty("lr");
    expect(imported.spec.objectives).toEqual([{ metric: "val_loss", direction: "minimize" }]);
    await expect(
      api.as(people.viewer).studies.importWandb({ config: "just: text" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("parameters"),
    });
  });
});

describe("trials", () => {
  it("are cancelled once, from queued or running only", async () => {
    const { queuedTrial, bestTrial } = await freshWorld();
    expect(await api.as(people.member).trials.cancel({ trialId: queuedTrial.id })).toMatchObject({
      state: "cancelled",
      finishedAt: expect.any(Date),
    });
    await expect(
      api.as(people.member).trials.cancel({ trialId: queuedTrial.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await expect(
      api.as(people.member).trials.cancel({ trialId: bestTrial.id }),
    ).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `trial ${bestTrial.id} is completed; only a queued or running trial can be cancelled`,
    });
    expect((await getTrial(api.db, bestTrial.id))?.state).toBe("completed");
  });
});

describe("runners", () => {
  it("measures the team's runners in FLOP/s for pricing trials", async () => {
    const { project, runningStudy } = await freshWorld();
    const runner = await registerRunner(api.db, {
      name: uniqueName("runner"),
      host: "localhost",
      pid: 1,
      backend: "native",
      device: "cpu",
      cores: 2,
      capacity: 2,
    });
    const trial = await createNextTrial(api.db, {
      studyId: runningStudy.id,
      params: { lr: 0.001 },
      state: "completed",
      runnerId: runner.id,
      finishedAt: new Date(),
    });
    await writeMetrics(api.db, [
      { trialId: trial.id, key: "tokens_per_s", step: 1, value: 2000 },
      { trialId: trial.id, key: "flops_per_token", step: 1, value: 2.5e6 },
    ]);
    const throughput = await api.as(people.viewer).runners.throughput({ projectId: project.id });
    expect(throughput.measured).toContainEqual(
      expect.objectContaining({
        runnerId: runner.id,
        alive: true,
        trainedForTeam: true,
        measuredTrials: 1,
        flopsPerSecond: 5e9,
      }),
    );
    // Other tests' runners may be alive too: the price is the median live runner's.
    expect(throughput).toMatchObject({ basis: "live", flopsPerSecond: expect.any(Number) });
  });
});
