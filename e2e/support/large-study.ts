// TEST DATA FOR THE WEB APP, NOT RESULTS OF TRAINING: a study of many trials with long synthetic
// loss curves, written straight into a database through @attune/db, to check that the study
// dashboard stays responsive at scale. Every name it creates starts with "ui-fixture".
//
//   npx tsx e2e/support/large-study.ts [--trials 500] [--points 1000] [--objectives 1|2]
//                                      [--running 0] [--live]
//
// against DATABASE_URL, or else the embedded PostgreSQL that `npm start` uses. It signs up a user
// (email and password printed), makes a team, project, dataset and study, and prints the study's
// path. `--running N` leaves the last N trials running part-way; with `--live` it then keeps
// training them (a few steps a second) until they finish, as a runner would, for live views.
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createAuth } from "@attune/api/auth";
import { Random } from "@attune/core/random";
import { validateStudySpec } from "@attune/core/spec";
import {
  addMember,
  createDatabase,
  createDataset,
  createProject,
  createStudy,
  createTeam,
  type Database,
  getStudy,
  getTrial,
  migrateDatabase,
  reserveTrialNumber,
  setBestTrial,
  trials,
  updateStudyStatus,
  updateTrial,
  writeMetrics,
} from "@attune/db";
import { ensureDatabase } from "@attune/db/embedded";
import { embeddedDataFolder } from "@attune/db/paths";

export interface LargeStudyOptions {
  /** Trials in the study (default 500). */
  trials?: number;
  /** Points of train_loss and of val_loss per finished trial, one per step (default 1,000). */
  points?: number;
  /** 1: val_loss; 2: val_loss and param_count, both minimised (default 1). */
  objectives?: 1 | 2;
  /** The last this many trials are left running half-way, and the study running (default 0). */
  running?: number;
  seed?: number;
  /** The account that owns the team; by default a new one with a random password. */
  owner?: FixtureAccount;
  /** Put the study in a new project of this earlier study's team, owned by its owner. */
  sameTeamAs?: LargeStudy;
}

export interface FixtureAccount {
  name: string;
  email: string;
  password: string;
}

type FixtureSettings = Required<Omit<LargeStudyOptions, "owner" | "sameTeamAs">>;

export interface LargeStudy {
  user: { id: string; email: string; password: string };
  teamId: string;
  projectId: string;
  studyId: string;
  /** All trials by number. */
  trials: FixtureTrial[];
  /** How far the running trials have trained, by trial id. */
  runningSteps: Map<string, number>;
  options: FixtureSettings;
}

/** The synthetic search space: the settings people tune most on small GPTs. */
const SEARCH_SPACE = {
  lr: { type: "float", low: 1e-4, high: 3e-2, log: true },
  batch_size: { type: "categorical", choices: [8, 16, 32, 64] },
  layers: { type: "int", low: 1, high: 6 },
  d_model: { type: "categorical", choices: [64, 128, 192, 256] },
  dropout: { type: "float", low: 0, high: 0.3 },
  schedule: { type: "categorical", choices: ["constant", "cosine", "one-cycle"] },
  warmup_steps: { type: "int", low: 0, high: 200, step: 50 },
} as const;

type Params = {
  lr: number;
  batch_size: number;
  layers: number;
  d_model: number;
  dropout: number;
  schedule: string;
  warmup_steps: number;
};

interface FixtureTrial {
  id: string;
  studyId: string;
  number: number;
  params: Params;
  state: "running" | "completed";
  attempts: number;
  lastStep: number;
  queuedAt: Date;
  startedAt: Date;
  finishedAt: Date | null;
}

const VOCABULARY = 65;

function pick<T>(random: Random, choices: readonly T[]): T {
  return choices[Math.floor(random.next() * choices.length)] as T;
}

function sampleParams(random: Random): Params {
  const { lr } = SEARCH_SPACE;
  return {
    lr: Math.exp(random.uniform(Math.log(lr.low), Math.log(lr.high))),
    batch_size: pick(random, SEARCH_SPACE.batch_size.choices),
    layers: 1 + Math.floor(random.next() * 6),
    d_model: pick(random, SEARCH_SPACE.d_model.choices),
    dropout: random.uniform(0, 0.3),
    schedule: pick(random, SEARCH_SPACE.schedule.choices),
    warmup_steps: 50 * Math.floor(random.next() * 5),
  };
}

export function paramCount(params: Params): number {
  const d = params.d_model;
  return params.layers * 12 * d * d + VOCABULARY * d + 64 * d;
}

/**
 * A plausible loss curve for the parameters: an exponential decay from ln(vocabulary) towards a
 * floor set by how far the learning rate is from its best for the batch size and by the model's
 * size, with noise on the training loss, a slower start with warmup, and overfitting without dropout.
 */
function curveModel(params: Params, random: Random) {
  const bestLr = 3e-3 * Math.sqrt(params.batch_size / 16);
  const lrMiss = Math.log10(params.lr / bestLr);
  const capacity = Math.log2(paramCount(params) / 1e5);
  const floor =
    1.3 +
    0.45 * lrMiss * lrMiss +
    0.12 / params.layers -
    0.04 * capacity +
    0.25 * Math.abs(params.dropout - 0.1) +
    (params.schedule === "constant" ? 0.06 : 0) +
    random.normal(0, 0.03);
  const start = Math.log(VOCABULARY);
  const speed = 0.004 * Math.min(3, params.lr / 1e-3) ** 0.7 + 0.0015;
  const overfit = Math.max(0, 0.15 - params.dropout) * Math.max(0, capacity) * 0.06;
  const diverges = lrMiss > 0.9 && random.next() < 0.5;
  const noise = 0.05 + 0.04 * Math.max(0, lrMiss);
  return {
    train(step: number, rng: Random): number {
      const warm = Math.min(1, (step + 1) / (params.warmup_steps + 1));
      let value = floor - 0.05 + (start - floor) * Math.exp(-speed * step * warm);
      if (diverges && step > 300) value += (step - 300) * 0.004;
      return Math.max(0.05, value + rng.normal(0, noise));
    },
    validation(step: number, rng: Random): number {
      const warm = Math.min(1, (step + 1) / (params.warmup_steps + 1));
      let value = floor + (start - floor) * Math.exp(-speed * step * warm);
      value += overfit * Math.max(0, step - 400) * 0.002;
      if (diverges && step > 300) value += (step - 300) * 0.004;
      return Math.max(0.05, value + rng.normal(0, noise / 5));
    },
  };
}

/** The trial's points from step `from` (inclusive) to `to` (exclusive), both keys. */
function curvePoints(
  trial: { id: string; params: Params },
  seed: number,
  from: number,
  to: number,
) {
  const model = curveModel(trial.params, new Random(seed));
  const noise = new Random(seed + 1);
  // Advance the noise to `from`, so that points written later continue the same curve.
  for (let step = 0; step < from; step++) {
    noise.normal();
    noise.normal();
  }
  const points: { trialId: string; key: string; step: number; value: number }[] = [];
  for (let step = from; step < to; step++) {
    points.push({ trialId: trial.id, key: "train_loss", step, value: model.train(step, noise) });
    points.push({ trialId: trial.id, key: "val_loss", step, value: model.validation(step, noise) });
  }
  return points;
}

function objectiveValues(params: Params, lastValidation: number, objectives: 1 | 2): number[] {
  return objectives === 1 ? [lastValidation] : [lastValidation, paramCount(params)];
}

/** Runs `work` over `items` with at most `parallel` at a time. */
async function inParallel<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

function better(a: number[], b: number[] | null | undefined): boolean {
  return b === null || b === undefined || (a[0] as number) < (b[0] as number);
}

/** Signs the account up as the sign-up page would, so that its password signs in; its user id. */
export async function signUpAccount(db: Database, account: FixtureAccount): Promise<string> {
  const auth = createAuth({
    db,
    baseURL: "http://localhost",
    secret: "ui-fixture-secret-not-used-for-sessions",
  });
  const { user } = await auth.api.signUpEmail({ body: account });
  return user.id;
}

/** The account, signed up, as a member of the team in `role`. */
export async function addTeamMember(
  db: Database,
  teamId: string,
  account: FixtureAccount,
  role: "viewer" | "member" | "admin",
): Promise<void> {
  await addMember(db, { teamId, userId: await signUpAccount(db, account), role });
}

export async function createLargeStudy(
  db: Database,
  options: LargeStudyOptions = {},
): Promise<LargeStudy> {
  const settings: FixtureSettings = {
    trials: options.trials ?? 500,
    points: options.points ?? 1000,
    objectives: options.objectives ?? 1,
    running: Math.min(options.running ?? 0, options.trials ?? 500),
    seed: options.seed ?? 20_260_301,
  };
  const random = new Random(settings.seed);
  const tag = `ui-fixture-${randomUUID().slice(0, 8)}`;

  let owner: LargeStudy["user"];
  let teamId: string;
  if (options.sameTeamAs) {
    owner = options.sameTeamAs.user;
    teamId = options.sameTeamAs.teamId;
  } else {
    const account = options.owner ?? {
      name: `UI fixture user ${tag}`,
      email: `${tag}@example.com`,
      password: randomUUID().replaceAll("-", "").slice(0, 24),
    };
    owner = { ...account, id: await signUpAccount(db, account) };
    const team = { name: `${tag} team (synthetic data)`, slug: tag };
    teamId = (await createTeam(db, team, owner.id)).team.id;
  }
  const project = await createProject(db, {
    teamId,
    name: `${tag} project`,
    description: "Synthetic test data for the web app's study dashboard.",
    createdBy: owner.id,
  });
  const dataset = await createDataset(db, {
    projectId: project.id,
    name: "ui-fixture-text",
    source: "upload",
    origin: "ui-fixture.txt",
    format: "text",
    tokenizer: "char",
    content: "Synthetic text: the study below was never trained on it.\n",
    createdBy: owner.id,
  });
  const objectives = [
    { metric: "val_loss", direction: "minimize" },
    ...(settings.objectives === 2 ? [{ metric: "param_count", direction: "minimize" }] : []),
  ];
  const spec = validateStudySpec({
    name: `${tag} ${settings.trials} synthetic trials`,
    task: "language-modelling",
    dataset: dataset.name,
    objectives,
    fixed: { heads: 4, seq_len: 64, optimizer: "adamw", eval_every: 1 },
    searchSpace: SEARCH_SPACE,
    sampler: settings.objectives === 2 ? { kind: "nsga2" } : { kind: "random" },
    budget: { trials: settings.trials, parallelTrials: 4, stepsPerTrial: settings.points },
    seed: settings.seed,
  });
  if (!spec.ok) throw new Error(`the fixture's spec is invalid: ${JSON.stringify(spec.errors)}`);
  const study = await createStudy(db, {
    projectId: project.id,
    name: spec.spec.name,
    spec: spec.spec,
    seed: settings.seed,
    createdBy: owner.id,
  });

  const started = Date.now() - settings.trials * 90_000 - 60_000;
  const firstRunning = settings.trials - settings.running;
  const rows: FixtureTrial[] = [];
  for (let index = 0; index < settings.trials; index++) {
    // Numbers come from the study's counter, as the controller takes them.
    const number = await reserveTrialNumber(db, study.id);
    const running = number >= firstRunning;
    const startedAt = new Date(started + number * 90_000);
    rows.push({
      id: randomUUID(),
      studyId: study.id,
      number,
      params: sampleParams(random),
      state: running ? "running" : "completed",
      attempts: number % 37 === 5 ? 2 : 1,
      lastStep: running ? Math.floor(settings.points / 2) : settings.points,
      queuedAt: startedAt,
      startedAt,
      finishedAt: running ? null : new Date(startedAt.getTime() + 60_000 + (number % 7) * 9_000),
    });
  }
  for (let start = 0; start < rows.length; start += 500) {
    await db.insert(trials).values(rows.slice(start, start + 500));
  }

  const runningSteps = new Map<string, number>();
  let best: { id: string; values: number[] } | undefined;
  await inParallel(rows, 4, async (row) => {
    const to = row.lastStep;
    const points = curvePoints(row, trialSeed(settings.seed, row.number), 0, to);
    await writeMetrics(db, points);
    if (row.state === "running") {
      runningSteps.set(row.id, to);
      return;
    }
    const lastValidation = (points.at(-1) as { value: number }).value;
    const values = objectiveValues(row.params, lastValidation, settings.objectives);
    await updateTrial(db, row.id, { values });
    if (!best || better(values, best.values)) best = { id: row.id, values };
  });
  if (best) await setBestTrial(db, study.id, best.id);
  await updateStudyStatus(db, study.id, "running");
  if (settings.running === 0) await updateStudyStatus(db, study.id, "completed");

  return {
    user: { id: owner.id, email: owner.email, password: owner.password },
    teamId,
    projectId: project.id,
    studyId: study.id,
    trials: rows,
    runningSteps,
    options: settings,
  };
}

function trialSeed(seed: number, number: number): number {
  return (seed * 7 + number * 13) >>> 0;
}

/**
 * Trains the study's running trials `steps` further, as a runner reporting metrics would; a trial
 * that reaches the end completes (with its values, and as the best trial when it is), and the
 * study completes with its last trial. Returns whether any trial is still running.
 */
export async function advanceRunningTrials(
  db: Database,
  study: LargeStudy,
  steps: number,
): Promise<boolean> {
  const { points: total, seed, objectives } = study.options;
  for (const trial of study.trials) {
    const from = study.runningSteps.get(trial.id);
    if (from === undefined) continue;
    const to = Math.min(total, from + steps);
    const points = curvePoints(trial, trialSeed(seed, trial.number), from, to);
    await writeMetrics(db, points);
    if (to < total) {
      await updateTrial(db, trial.id, { lastStep: to });
      study.runningSteps.set(trial.id, to);
      continue;
    }
    const lastValidation = (points.at(-1) as { value: number }).value;
    const values = objectiveValues(trial.params, lastValidation, objectives);
    await updateTrial(db, trial.id, {
      state: "completed",
      values,
      lastStep: to,
      finishedAt: new Date(),
    });
    study.runningSteps.delete(trial.id);
    const current = await getStudy(db, study.studyId);
    const best = current?.bestTrialId ? await getTrial(db, current.bestTrialId) : undefined;
    if (better(values, best?.values)) await setBestTrial(db, study.studyId, trial.id);
  }
  if (study.runningSteps.size > 0) return true;
  await updateStudyStatus(db, study.studyId, "completed");
  return false;
}

async function main() {
  const { values: flags } = parseArgs({
    options: {
      trials: { type: "string", default: "500" },
      points: { type: "string", default: "1000" },
      objectives: { type: "string", default: "1" },
      running: { type: "string", default: "0" },
      live: { type: "boolean", default: false },
      "steps-per-second": { type: "string", default: "10" },
    },
  });
  const objectives = Number(flags.objectives);
  if (objectives !== 1 && objectives !== 2) throw new Error("--objectives is 1 or 2");
  const database = await ensureDatabase(embeddedDataFolder());
  await migrateDatabase(database.url);
  const db = createDatabase(database.url, { applicationName: "ui-fixture" });
  const began = performance.now();
  const study = await createLargeStudy(db, {
    trials: Number(flags.trials),
    points: Number(flags.points),
    objectives,
    running: Number(flags.running),
  });
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  console.log(
    JSON.stringify(
      {
        email: study.user.email,
        password: study.user.password,
        studyId: study.studyId,
        path: `/studies/${study.studyId}`,
        trials: study.options.trials,
        metricPoints: study.options.trials * study.options.points * 2,
        seconds: Number(seconds),
      },
      null,
      2,
    ),
  );
  if (flags.live && study.runningSteps.size > 0) {
    const steps = Number(flags["steps-per-second"]);
    console.log(`training ${study.runningSteps.size} trials on, ${steps} steps a second…`);
    while (await advanceRunningTrials(db, study, steps)) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    console.log("every trial finished; the study is completed");
  }
  await db.$client.end();
  await database.stop();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
