// A team with one user in each role and one of everything the procedures act on, made directly
// in the database so that every case of a test table can start from a fresh one.
import { createHash } from "node:crypto";
import {
  addMember,
  createApiKey,
  createDataset,
  createInvitation,
  createModel,
  createNextTrial,
  createProject,
  createStudy,
  createTeam,
  type Database,
  recordLineage,
  setBestTrial,
  setModelStatus,
  strategyRuns,
  updateStudyStatus,
  updateTrial,
} from "@attune/db";
import { generateApiKey } from "../src/api-keys.ts";
import { type Api, type SignedUpUser, uniqueName } from "./harness.ts";

export const ROLES = ["viewer", "member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];
/** Who calls in the authorization tables: nobody, a member of another team, or a role here. */
export const CALLERS = ["anonymous", "outsider", ...ROLES] as const;
export type CallerName = (typeof CALLERS)[number];

export const SAMPLE_JSONL = [
  '{"text": "the cat sat on the mat"}',
  '{"text": "a dog barked at the moon all night"}',
  '{"text": "hello"}',
].join("\n");

export function studySpecText(name: string, dataset: string): string {
  return JSON.stringify({
    name,
    task: "language-modelling",
    dataset,
    objectives: [{ metric: "val_loss", direction: "minimize" }],
    searchSpace: { lr: { type: "float", low: 0.0001, high: 0.01, log: true } },
    sampler: { kind: "random" },
    budget: { trials: 4, stepsPerTrial: 10 },
  });
}

/** A PBT study of two members, rounds every 10 of its 30 steps, mutating the rate. */
export function pbtSpecText(name: string, dataset: string): string {
  return JSON.stringify({
    ...JSON.parse(studySpecText(name, dataset)),
    fixed: { eval_every: 10 },
    sampler: { kind: "pbt", population: 2, perturbationInterval: 10, mutations: ["lr"] },
    budget: { trials: 2, stepsPerTrial: 30 },
  });
}

export const WANDB_SWEEP = `
method: bayes
metric: { name: val_loss, goal: minimize }
parameters:
  lr: { distribution: log_uniform_values, min: 0.0001, max: 0.1 }
  layers: { values: [2, 4, 6] }
`;

export type People = Record<Role | "outsider", SignedUpUser>;

/** Signs up one user per role and an outsider, who owns a team of their own. */
export async function signUpPeople(api: Api): Promise<People> {
  const people = {
    owner: await api.signUp("owner"),
    admin: await api.signUp("admin"),
    member: await api.signUp("member"),
    viewer: await api.signUp("viewer"),
    outsider: await api.signUp("outsider"),
  };
  const slug = uniqueName("elsewhere");
  await createTeam(api.db, { name: slug, slug }, people.outsider.userId);
  return people;
}

export async function seedWorld(db: Database, people: People) {
  const slug = uniqueName("team");
  const { team } = await createTeam(db, { name: slug, slug }, people.owner.userId);
  for (const role of ["admin", "member", "viewer"] as const) {
    await addMember(db, { teamId: team.id, userId: people[role].userId, role });
  }
  const project = await createProject(db, { teamId: team.id, name: "project" });
  const dataset = await createDataset(db, {
    projectId: project.id,
    name: "samples",
    source: "upload",
    origin: "samples.jsonl",
    format: "jsonl",
    tokenizer: "char",
    content: SAMPLE_JSONL,
  });
  // One model uploading (its one part unsent) and one ready, each holding a two-byte config.json.
  const modelFile = (name: string) => ({
    name: "config.json",
    sizeBytes: 2,
    sha256: createHash("sha256").update(name).digest("hex"),
  });
  const uploadingModel = await createModel(db, {
    projectId: project.id,
    name: "uploading",
    source: "upload",
    files: [modelFile("{}")],
  });
  const readyModel = await setModelStatus(
    db,
    (
      await createModel(db, {
        projectId: project.id,
        name: "ready",
        source: "upload",
        files: [modelFile("[]")],
      })
    ).id,
    { status: "ready" },
  );
  const study = async (name: string) =>
    createStudy(db, {
      projectId: project.id,
      name,
      spec: JSON.parse(studySpecText(name, dataset.name)),
      seed: 7,
    });
  const draftStudy = await study("draft");
  const runningStudy = await updateStudyStatus(db, (await study("running")).id, "running");
  const pausedStudy = await updateStudyStatus(db, (await study("paused")).id, "paused");
  const queuedTrial = await createNextTrial(db, {
    studyId: runningStudy.id,
    params: { lr: 0.001 },
  });
  const bestTrial = await createNextTrial(db, { studyId: runningStudy.id, params: { lr: 0.003 } });
  await updateTrial(db, bestTrial.id, { state: "completed", values: [1.25] });
  await setBestTrial(db, runningStudy.id, bestTrial.id);
  // Two objectives and two completed trials, neither better on both: for importance and the front.
  const paretoStudy = await createStudy(db, {
    projectId: project.id,
    name: "pareto",
    spec: {
      ...JSON.parse(studySpecText("pareto", dataset.name)),
      objectives: [
        { metric: "val_loss", direction: "minimize" },
        { metric: "tokens_per_second", direction: "maximize" },
      ],
    },
    seed: 7,
  });
  for (const [lr, values] of [
    [0.001, [1.5, 900]],
    [0.005, [1.25, 600]],
  ] as const) {
    const trial = await createNextTrial(db, { studyId: paretoStudy.id, params: { lr } });
    await updateTrial(db, trial.id, { state: "completed", values: [...values] });
  }
  // A PBT study of two members: at step 10 member 1 copied member 0 and perturbed its rate; it
  // ended best.
  const pbtStudy = await createStudy(db, {
    projectId: project.id,
    name: "pbt",
    spec: JSON.parse(pbtSpecText("pbt", dataset.name)),
    seed: 7,
  });
  const [leader, follower] = [
    await createNextTrial(db, { studyId: pbtStudy.id, params: { lr: 0.01 } }),
    await createNextTrial(db, { studyId: pbtStudy.id, params: { lr: 0.008 } }),
  ];
  await updateTrial(db, leader.id, { state: "completed", values: [1.5], lastStep: 30 });
  await updateTrial(db, follower.id, { state: "completed", values: [1.25], lastStep: 30 });
  await setBestTrial(db, pbtStudy.id, follower.id);
  await recordLineage(db, [
    { trialId: leader.id, step: 0, params: { lr: 0.01 } },
    { trialId: follower.id, step: 0, params: { lr: 0.001 } },
    { trialId: leader.id, step: 10, params: { lr: 0.01 }, value: 2.0 },
    {
      trialId: follower.id,
      step: 10,
      params: { lr: 0.008 },
      value: 2.5,
      copiedFromTrialId: leader.id,
      copiedStep: 10,
    },
  ]);
  // Inserted without its job: no runner works the tests' queue.
  const [strategyRun] = await db
    .insert(strategyRuns)
    .values({ projectId: project.id, datasetId: dataset.id, kind: "lr-range-test", settings: {} })
    .returning();
  if (!strategyRun) throw new Error("inserting the world's strategy run returned no row");
  const invitation = await createInvitation(db, {
    teamId: team.id,
    email: people.outsider.email,
    role: "member",
    inviterId: people.owner.userId,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const apiKeyIds = {} as Record<Role, string>;
  for (const role of ROLES) {
    const secret = generateApiKey();
    const key = await createApiKey(db, {
      referenceId: people[role].userId,
      teamId: team.id,
      key: secret.hash,
      start: secret.start,
    });
    apiKeyIds[role] = key.id;
  }
  return {
    team,
    project,
    dataset,
    uploadingModel,
    readyModel,
    draftStudy,
    runningStudy,
    pausedStudy,
    queuedTrial,
    bestTrial,
    paretoStudy,
    pbtStudy,
    strategyRun,
    invitation,
    apiKeyIds,
  };
}

export type World = Awaited<ReturnType<typeof seedWorld>>;
