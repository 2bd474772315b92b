// Every procedure of the router, with a valid input and who may call it: the table the
// authorization and input tests run through.
import { randomUUID } from "node:crypto";
import { uniqueName } from "./harness.ts";
import {
  type CallerName,
  type People,
  SAMPLE_JSONL,
  studySpecText,
  WANDB_SWEEP,
  type World,
} from "./world.ts";

export type Outcome = "ok" | "UNAUTHORIZED" | "NOT_FOUND" | "FORBIDDEN" | "PRECONDITION_FAILED";

/** Outcomes for: anonymous, outsider (member of another team), viewer, member, admin, owner. */
type Outcomes = readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

const ok = "ok";
const UNAUTHORIZED = "UNAUTHORIZED";
const NOT_FOUND = "NOT_FOUND";
const FORBIDDEN = "FORBIDDEN";
const PRECONDITION_FAILED = "PRECONDITION_FAILED";
const PF = PRECONDITION_FAILED;

/** Any signed-in user: nothing of a team is involved. */
const signedIn: Outcomes = [UNAUTHORIZED, ok, ok, ok, ok, ok];
/** Reads of a team's resources. */
const viewerUp: Outcomes = [UNAUTHORIZED, NOT_FOUND, ok, ok, ok, ok];
/** Changes to projects, datasets, studies and trials. */
const memberUp: Outcomes = [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, ok, ok, ok];
/** Managing the team, and deleting projects. */
const adminUp: Outcomes = [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, ok, ok];
const ownerOnly: Outcomes = [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, ok];

export interface ProcedureCase {
  path: string;
  outcomes: Outcomes;
  /** A valid input, for the world and the caller. */
  input: (world: World, people: People, caller: CallerName) => unknown;
}

const row = (path: string, outcomes: Outcomes, input: ProcedureCase["input"]): ProcedureCase => ({
  path,
  outcomes,
  input,
});

const team = (w: World) => ({ teamId: w.team.id });
const project = (w: World) => ({ projectId: w.project.id });
const dataset = (w: World) => ({ datasetId: w.dataset.id });

export const procedureCases: ProcedureCase[] = [
  row("teams.create", signedIn, () => ({ name: "New team", slug: uniqueName("new") })),
  row("teams.list", signedIn, () => undefined),
  row("teams.get", viewerUp, team),
  row("teams.rename", adminUp, (w) => ({ ...team(w), name: "Renamed" })),
  row("teams.transferOwnership", ownerOnly, (w, p) => ({ ...team(w), userId: p.admin.userId })),
  // The owner has to hand the team over before leaving it.
  row("teams.leave", [UNAUTHORIZED, NOT_FOUND, ok, ok, ok, PRECONDITION_FAILED], team),

  row("members.list", viewerUp, team),
  row("members.setRole", adminUp, (w, p) => ({
    ...team(w),
    userId: p.member.userId,
    role: "viewer",
  })),
  row("members.remove", adminUp, (w, p) => ({ ...team(w), userId: p.member.userId })),

  row("invitations.create", adminUp, (w) => ({
    ...team(w),
    email: `${uniqueName("invitee")}@example.com`,
    role: "member",
  })),
  row("invitations.list", adminUp, team),
  row("invitations.revoke", adminUp, (w) => ({ ...team(w), invitationId: w.invitation.id })),
  // The world's invitation is addressed to the outsider: for everyone else it does not exist.
  row("invitations.get", [UNAUTHORIZED, ok, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND], (w) => ({
    invitationId: w.invitation.id,
  })),
  row(
    "invitations.accept",
    [UNAUTHORIZED, ok, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
    (w) => ({
      invitationId: w.invitation.id,
    }),
  ),

  row("apiKeys.create", viewerUp, (w) => ({ ...team(w), name: "script", expiresInDays: 30 })),
  row("apiKeys.list", viewerUp, team),
  row("apiKeys.revoke", viewerUp, (w, _p, caller) => ({
    ...team(w),
    apiKeyId: w.apiKeyIds[caller === "anonymous" || caller === "outsider" ? "owner" : caller],
  })),

  row("projects.create", memberUp, (w) => ({ ...team(w), name: uniqueName("project") })),
  row("projects.list", viewerUp, team),
  row("projects.get", viewerUp, project),
  row("projects.update", memberUp, (w) => ({ ...project(w), description: "Updated" })),
  row("projects.delete", adminUp, project),

  row("datasets.upload", memberUp, (w) => ({
    ...project(w),
    name: uniqueName("upload"),
    format: "jsonl",
    tokenizer: "char",
    content: SAMPLE_JSONL,
    fileName: "samples.jsonl",
  })),
  row("models.begin", memberUp, (w) => ({
    ...project(w),
    name: uniqueName("model"),
    files: [{ name: "config.json", sizeBytes: 2, sha256: "0".repeat(64) }],
  })),
  row("models.progress", viewerUp, (w) => ({ modelId: w.uploadingModel.id })),
  // A ready model takes no more parts, and the uploading one has a part still to send.
  row("models.part", [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, PF, PF, PF], (w) => ({
    modelId: w.readyModel.id,
    file: "config.json",
    index: 0,
    bytes: Buffer.from("[]").toString("base64"),
  })),
  row("models.complete", [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, PF, PF, PF], (w) => ({
    modelId: w.uploadingModel.id,
  })),
  row("models.list", viewerUp, project),
  row("models.get", viewerUp, (w) => ({ modelId: w.readyModel.id })),
  row("models.delete", memberUp, (w) => ({ modelId: w.readyModel.id })),
  // The world's trials save no checkpoint: there is nothing to promote.
  row(
    "models.promote",
    [UNAUTHORIZED, NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND],
    (w) => ({
      trialId: w.bestTrial.id,
      kind: "best",
    }),
  ),
  row("datasets.corpora", signedIn, () => undefined),
  row("datasets.addBuiltin", memberUp, (w) => ({
    ...project(w),
    corpus: "moby-dick",
    tokenizer: "byte",
    name: uniqueName("moby"),
  })),
  row("datasets.list", viewerUp, project),
  row("datasets.example", viewerUp, (w) => ({ datasetId: w.instructionDataset.id, index: 1 })),
  row("datasets.get", viewerUp, dataset),
  row("datasets.recommendSequenceLength", viewerUp, (w) => ({
    ...dataset(w),
    percentile: 90,
    rounding: "power-of-two",
  })),
  row("datasets.studiesFromModels", viewerUp, dataset),
  // The world's ready model has no tokenizer files to count with.
  row("datasets.tokensUnderModel", [UNAUTHORIZED, NOT_FOUND, PF, PF, PF, PF], (w) => ({
    ...dataset(w),
    model: w.readyModel.id,
  })),

  row("studies.validate", viewerUp, (w) => ({
    ...project(w),
    spec: studySpecText("checked", w.dataset.name),
  })),
  row("studies.create", memberUp, (w) => ({
    ...project(w),
    spec: studySpecText(uniqueName("study"), w.dataset.name),
  })),
  row("studies.list", viewerUp, project),
  row("studies.get", viewerUp, (w) => ({ studyId: w.draftStudy.id })),
  row("studies.clone", memberUp, (w) => ({
    studyId: w.draftStudy.id,
    name: uniqueName("clone"),
    seed: 11,
  })),
  row("studies.importWandb", signedIn, () => ({ config: WANDB_SWEEP })),
  row("studies.exportBest", viewerUp, (w) => ({ studyId: w.runningStudy.id })),
  row("studies.live", viewerUp, (w) => ({ studyId: w.runningStudy.id })),
  row("studies.appendTrials", memberUp, (w) => ({ studyId: w.runningStudy.id, count: 2 })),
  row("studies.start", memberUp, (w) => ({ studyId: w.draftStudy.id })),
  row("studies.pause", memberUp, (w) => ({ studyId: w.runningStudy.id })),
  row("studies.resume", memberUp, (w) => ({ studyId: w.pausedStudy.id })),
  row("studies.cancel", memberUp, (w) => ({ studyId: w.draftStudy.id })),

  row("trials.list", viewerUp, (w) => ({
    studyId: w.runningStudy.id,
    states: ["queued", "completed"],
    sortBy: "value",
    order: "asc",
    limit: 10,
    offset: 0,
  })),
  row("trials.get", viewerUp, (w) => ({ trialId: w.bestTrial.id })),
  row("trials.checkpoints", viewerUp, (w) => ({ trialId: w.bestTrial.id })),
  row("trials.generationSource", viewerUp, (w) => ({ trialId: w.bestTrial.id })),
  row("trials.samples", viewerUp, (w) => ({ trialId: w.bestTrial.id })),
  row("trials.curves", viewerUp, (w) => ({
    studyId: w.runningStudy.id,
    keys: ["val_loss"],
    trialIds: [w.bestTrial.id],
    maxPoints: 100,
  })),
  // The call opens the stream; the world's trial has no checkpoint, which reading it would tell.
  row("trials.generate", viewerUp, (w) => ({
    trialId: w.bestTrial.id,
    prompt: "the cat",
    maxLength: 5,
    temperature: 0.8,
    topK: 5,
    topP: 0.9,
    seed: 1,
  })),
  row("trials.cancel", memberUp, (w) => ({ trialId: w.queuedTrial.id })),

  row("analysis.importance", viewerUp, (w) => ({
    studyId: w.paretoStudy.id,
    objective: 1,
    topFraction: 0.5,
  })),
  row("analysis.paretoFront", viewerUp, (w) => ({ studyId: w.paretoStudy.id })),

  row("lineage.get", viewerUp, (w) => ({ studyId: w.pbtStudy.id })),

  row("strategies.create", memberUp, (w) => ({
    ...dataset(w),
    kind: "lr-range-test",
    options: { minLr: 0.00001, maxLr: 0.1, steps: 20 },
    seed: 3,
  })),
  row("strategies.list", viewerUp, project),
  row("strategies.get", viewerUp, (w) => ({ ...project(w), strategyRunId: w.strategyRun.id })),

  row("runners.list", signedIn, () => ({ limit: 10 })),
  row("runners.throughput", viewerUp, project),

  row("health.detail", signedIn, () => ({})),
];

/** An id of the right shape that names nothing. */
export function missingId(): string {
  return randomUUID();
}
