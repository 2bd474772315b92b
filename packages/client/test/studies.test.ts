// `attune study`: listing, showing, moving through statuses, cloning and growing studies, against a
// running server. No runner runs here: statuses change only when the commands change them.
import { createNextTrial, setBestTrial, updateTrial } from "@attune/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneLineFailure, specYaml, startProjectHarness } from "./harness.ts";

let cli: Awaited<ReturnType<typeof startProjectHarness>>;

beforeAll(async () => {
  cli = await startProjectHarness("studies");
});

afterAll(async () => {
  await cli?.server.stop();
});

interface StudyJson {
  id: string;
  name: string;
  status: string;
  seed: number;
  spec: { name: string; seed: number; budget: { trials: number } };
}

function createStudy(name: string) {
  return cli.client.studies.create.mutate({
    projectId: cli.project.id,
    spec: specYaml(name, cli.dataset.name),
  });
}

describe("attune study", () => {
  it("lists the project's studies and shows one with its trial counts and best value", async () => {
    const study = await createStudy("listed");
    for (const [lr, loss] of [
      [0.001, 2.5],
      [0.004, 1.75],
    ] as const) {
      const trial = await createNextTrial(cli.server.db, { studyId: study.id, params: { lr } });
      await updateTrial(cli.server.db, trial.id, { state: "completed", values: [loss] });
      if (loss === 1.75) await setBestTrial(cli.server.db, study.id, trial.id);
    }

    const listed = await cli.attuneJson<{ id: string; trialCounts: object }[]>(
      "study",
      "list",
      "--project",
      cli.project.id,
    );
    expect(listed.find((row) => row.id === study.id)).toMatchObject({
      name: "listed",
      status: "draft",
      trialCounts: { total: 2, running: 0, completed: 2 },
      bestValues: [1.75],
    });
    const table = await cli.attune("study", "list", "--project", cli.project.id);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]?.split(/ {2,}/)).toEqual([
      "ID",
      "NAME",
      "STATUS",
      "COMPLETED",
      "RUNNING",
      "BEST",
      "CREATED",
    ]);
    const row = lines.find((line) => line.startsWith(study.id))?.split(/ {2,}/);
    expect(row?.slice(0, 6)).toEqual([study.id, "listed", "draft", "2/4", "0", "1.75"]);

    const shown = await cli.attune("study", "show", study.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^study +listed \(.+\)$/m);
    expect(shown.stdout).toMatch(/^status +draft$/m);
    expect(shown.stdout).toMatch(/^objectives +minimize val_loss$/m);
    expect(shown.stdout).toMatch(/^trials +2 completed, 0 running, 2 created of a budget of 4$/m);
    expect(shown.stdout).toMatch(/^best +1\.75$/m);
    expect(await cli.attuneJson("study", "show", study.id)).toMatchObject({
      id: study.id,
      trialCounts: { completed: 2 },
    });
  });

  it("says so when a project has no studies", async () => {
    const empty = await cli.client.projects.create.mutate({
      teamId: cli.server.team.id,
      name: "empty",
    });
    const result = await cli.attune("study", "list", "--project", empty.id);
    expect(result).toMatchObject({ code: 0, stdout: `project ${empty.id} has no studies yet\n` });
  });

  it("starts, pauses, resumes and cancels a study; a request its status forbids fails in one line naming the status", async () => {
    const study = await createStudy("lifecycle");
    const expected = (status: string) => ({
      code: 0,
      stdout: `study lifecycle: ${study.id} (${status})\n`,
    });
    expect(await cli.attune("study", "start", study.id)).toMatchObject(expected("running"));
    expect(await cli.attune("study", "pause", study.id)).toMatchObject(expected("paused"));
    expectOneLineFailure(
      await cli.attune("study", "pause", study.id),
      `attune: cannot pause study ${study.id}: it is paused, and only a running study can be (PRECONDITION_FAILED)`,
    );
    expect(await cli.attune("study", "resume", study.id)).toMatchObject(expected("running"));
    expect(await cli.attuneJson<StudyJson>("study", "cancel", study.id)).toMatchObject({
      id: study.id,
      status: "cancelled",
    });
    expectOneLineFailure(
      await cli.attune("study", "start", study.id),
      "it is cancelled, and only a draft study can be",
    );
    expectOneLineFailure(
      await cli.attune("study", "start", "00000000-0000-4000-8000-000000000000"),
      "(NOT_FOUND)",
    );
  });

  it("clones a study into a new draft with the same spec, under a new name and seed", async () => {
    const original = await createStudy("original");
    await cli.client.studies.start.mutate({ studyId: original.id });

    const clone = await cli.attuneJson<StudyJson>(
      "study",
      "clone",
      original.id,
      "--name",
      "second",
      "--seed",
      "7",
    );
    expect(clone).toMatchObject({ name: "second", status: "draft", seed: 7 });
    expect(clone.id).not.toBe(original.id);
    expect(clone.spec).toEqual({ ...original.spec, name: "second", seed: 7 });

    // Without --name, the copy is named as the web app names it; names are unique in a project.
    const copy = await cli.attune("study", "clone", original.id);
    expect(copy.stdout).toMatch(/^study original \(copy\): \S+ \(draft\)\n$/);
    expectOneLineFailure(await cli.attune("study", "clone", original.id), "(CONFLICT)");
  });

  it("appends trials to a running study's budget, and refuses a draft or a count below one", async () => {
    const study = await createStudy("growing");
    expectOneLineFailure(
      await cli.attune("study", "append", study.id, "--trials", "3"),
      `cannot append trials to study ${study.id}: it is draft; start it first, or clone it`,
    );
    await cli.client.studies.start.mutate({ studyId: study.id });

    const appended = await cli.attune("study", "append", study.id, "--trials", "3");
    expect(appended).toMatchObject({
      code: 0,
      stdout: `study growing: ${study.id} (running): budget now 7 trials\n`,
    });
    const stored = await cli.client.studies.get.query({ studyId: study.id });
    expect(stored.spec).toMatchObject({ budget: { trials: 7 } });

    expectOneLineFailure(
      await cli.attune("study", "append", study.id, "--trials", "0"),
      /attune: count: .+ \(BAD_REQUEST\)/,
    );
    expectOneLineFailure(
      await cli.attune("study", "append", study.id, "--trials", "many"),
      '--trials must be a number, not "many"; usage: attune study append <study id> --trials <n>',
    );
    expectOneLineFailure(await cli.attune("study", "append", study.id), "missing --trials <n>");
  });
});
