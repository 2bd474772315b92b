import { describe, expect, it } from "vitest";
import { getCheckpoint, saveCheckpoint } from "../src/queries/checkpoints.ts";
import {
  createDataset,
  deleteDataset,
  getDataset,
  getDatasetContent,
  listDatasets,
  updateDatasetStatistics,
} from "../src/queries/datasets.ts";
import { readMetrics, writeMetrics } from "../src/queries/metrics.ts";
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  updateProject,
} from "../src/queries/projects.ts";
import { getStudy } from "../src/queries/studies.ts";
import { createNextTrial, getTrial } from "../src/queries/trials.ts";
import { DATASET_MAX_BYTES, type DatasetStatistics } from "../src/schema/index.ts";
import { seedProject, seedStudy, seedTeam } from "../src/seed.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();

describe("projects", () => {
  it("are created, listed by name, renamed and deleted", async () => {
    const { owner, team } = await seedTeam(test.db);
    const beta = await createProject(test.db, {
      teamId: team.id,
      name: "beta",
      description: "Second",
      createdBy: owner.id,
    });
    expect(beta).toMatchObject({ teamId: team.id, name: "beta", description: "Second" });
    const alpha = await createProject(test.db, { teamId: team.id, name: "alpha" });
    expect(alpha.description).toBe("");
    expect(await getProject(test.db, beta.id)).toEqual(beta);
    expect(await listProjects(test.db, team.id)).toEqual([alpha, beta]);

    await expect(createProject(test.db, { teamId: team.id, name: "alpha" })).rejects.toThrow();

    const renamed = await updateProject(test.db, beta.id, {
      name: "gamma",
      description: "Renamed",
    });
    expect(renamed).toMatchObject({ id: beta.id, name: "gamma", description: "Renamed" });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(beta.updatedAt.getTime());
    expect(await getProject(test.db, beta.id)).toEqual(renamed);

    expect(await deleteProject(test.db, alpha.id)).toBe(true);
    expect(await getProject(test.db, alpha.id)).toBeUndefined();
    expect(await deleteProject(test.db, alpha.id)).toBe(false);
    await expect(updateProject(test.db, alpha.id, { name: "x" })).rejects.toThrow(
      `no project ${alpha.id}`,
    );
  });

  it("delete their datasets, studies, trials, metrics and checkpoints with them", async () => {
    const { project, study } = await seedStudy(test.db);
    const dataset = await createDataset(test.db, {
      projectId: project.id,
      name: "tiny",
      source: "builtin",
      origin: "moby-dick",
      tokenizer: "char",
      content: "Call me Ishmael.",
    });
    const trial = await createNextTrial(test.db, { studyId: study.id, params: { lr: 0.01 } });
    await writeMetrics(test.db, [{ trialId: trial.id, key: "loss", step: 1, value: 2.5 }]);
    await saveCheckpoint(test.db, {
      trialId: trial.id,
      kind: "last",
      step: 1,
      data: Buffer.from([1, 2, 3]),
      sizeBytes: 3,
    });

    expect(await deleteProject(test.db, project.id)).toBe(true);
    expect(await getDataset(test.db, dataset.id)).toBeUndefined();
    expect(await getStudy(test.db, study.id)).toBeUndefined();
    expect(await getTrial(test.db, trial.id)).toBeUndefined();
    expect(await readMetrics(test.db, trial.id)).toEqual([]);
    expect(await getCheckpoint(test.db, trial.id, "last")).toBeUndefined();
  });
});

describe("datasets", () => {
  const statistics: DatasetStatistics = {
    characters: 12,
    tokens: 12,
    vocabularySize: 10,
    samples: 1,
    sampleTokenLengths: { upperBounds: [8, 16], counts: [0, 1] },
  };

  it("round-trip, with the size in UTF-8 bytes and the content read only on request", async () => {
    const { owner, project } = await seedProject(test.db);
    const content = "naïve café ✓\n";
    const input = {
      projectId: project.id,
      name: "cafe",
      source: "upload" as const,
      origin: "cafe.txt",
      format: "text" as const,
      tokenizer: "byte" as const,
      content,
      createdBy: owner.id,
    };
    const dataset = await createDataset(test.db, input);
    const { content: _content, ...meta } = input;
    expect(dataset).toMatchObject({ ...meta, sizeBytes: 17, statistics: null });
    expect(dataset).not.toHaveProperty("content");
    expect(await getDataset(test.db, dataset.id)).toEqual(dataset);
    expect(await getDatasetContent(test.db, dataset.id)).toBe(content);

    const updated = await updateDatasetStatistics(test.db, dataset.id, statistics);
    expect(updated.statistics).toEqual(statistics);
    expect(await getDataset(test.db, dataset.id)).toEqual(updated);

    const other = await createDataset(test.db, { ...input, name: "another", format: "jsonl" });
    expect(await listDatasets(test.db, project.id)).toEqual([other, updated]);
    await expect(createDataset(test.db, input)).rejects.toThrow();

    expect(await deleteDataset(test.db, dataset.id)).toBe(true);
    expect(await getDataset(test.db, dataset.id)).toBeUndefined();
    expect(await getDatasetContent(test.db, dataset.id)).toBeUndefined();
    expect(await deleteDataset(test.db, dataset.id)).toBe(false);
    await expect(updateDatasetStatistics(test.db, dataset.id, statistics)).rejects.toThrow(
      `no dataset ${dataset.id}`,
    );
  });

  it("keep their format and task: language modelling unless declared", async () => {
    const { project } = await seedProject(test.db);
    const base = { projectId: project.id, source: "upload" as const, tokenizer: "char" as const };
    const text = await createDataset(test.db, {
      ...base,
      name: "story",
      origin: "story.txt",
      content: "once upon a time",
    });
    const chat = await createDataset(test.db, {
      ...base,
      name: "chat",
      origin: "chat.jsonl",
      format: "chat",
      task: "dialogue",
      content:
        '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}',
    });
    const pairs = await createDataset(test.db, {
      ...base,
      name: "pairs",
      origin: "pairs.jsonl",
      format: "prompt-completion",
      task: "instruction",
      content: '{"prompt": "2 + 2", "completion": "4"}',
    });
    expect([text, chat, pairs].map(({ format, task }) => [format, task])).toEqual([
      ["text", "language-modelling"],
      ["chat", "dialogue"],
      ["prompt-completion", "instruction"],
    ]);
    await expect(
      createDataset(test.db, {
        ...base,
        name: "odd",
        origin: "odd.jsonl",
        // @ts-expect-error: not a task, refused by the database's enum too
        task: "summarising",
        content: "x",
      }),
    ).rejects.toThrow();
  });

  it("are accepted up to DATASET_MAX_BYTES and refused, unwritten, above it", async () => {
    const { project } = await seedProject(test.db);
    const base = {
      projectId: project.id,
      source: "upload" as const,
      origin: "big.txt",
      tokenizer: "char" as const,
    };
    // Two bytes per character: the limit is on bytes, not on the string's length.
    const atLimit = "é".repeat(DATASET_MAX_BYTES / 2);
    const accepted = await createDataset(test.db, { ...base, name: "at-limit", content: atLimit });
    expect(accepted.sizeBytes).toBe(DATASET_MAX_BYTES);

    await expect(
      createDataset(test.db, { ...base, name: "over-limit", content: `${atLimit}x` }),
    ).rejects.toThrow(
      `dataset "over-limit" is ${DATASET_MAX_BYTES + 1} bytes, over the limit of ${DATASET_MAX_BYTES} bytes`,
    );
    expect((await listDatasets(test.db, project.id)).map((d) => d.name)).toEqual(["at-limit"]);
  });
});
