// The two streams: text generated from a trial's checkpoint, and a study's live progress.
import { selectBackend } from "@attune/core/train";
import { updateStudyStatus, updateTrial, writeMetrics } from "@attune/db";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { storeCheckpoint } from "./checkpoints.ts";
import { useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
  // The backend every machine has, so that the generated text does not depend on what is installed.
  process.env.ATTUNE_TF_BACKEND = "wasm";
  await selectBackend();
});

/**
 * A live snapshot as the caller hands it out: tRPC's tracked envelope as it is, [id, data, marker],
 * though the caller's types describe the {id, data} a client receives.
 */
function snapshot<T>(next: IteratorResult<{ id: string; data: T }, unknown>) {
  if (next.done) throw new Error("the stream ended without a snapshot");
  const [id, data] = next.value as unknown as [string, T];
  return { id, data };
}

/** Every item of a stream. */
async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe("trials.generate", () => {
  it("streams maxLength tokens, the same for the same seed, and frees the model", async () => {
    const world = await seedWorld(api.db, people);
    await storeCheckpoint(api.db, world.bestTrial.id);
    const viewer = api.as(people.viewer);
    const request = { trialId: world.bestTrial.id, prompt: "the cat", maxLength: 12, seed: 2 };
    const tensorsBefore = tf.memory().numTensors;

    const first = await collect(await viewer.trials.generate({ ...request, temperature: 1 }));
    const again = await collect(await viewer.trials.generate({ ...request, temperature: 1 }));
    const otherSeed = await collect(
      await viewer.trials.generate({ ...request, seed: 1, temperature: 1 }),
    );

    expect(first).toHaveLength(12);
    expect(again).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    expect(first.map((piece) => piece.text).join("")).toMatch(/^[^\uFFFD]+$/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("frees the model when the reader stops early", async () => {
    const world = await seedWorld(api.db, people);
    await storeCheckpoint(api.db, world.bestTrial.id);
    const tensorsBefore = tf.memory().numTensors;
    const stream = await api.as(people.viewer).trials.generate({
      trialId: world.bestTrial.id,
      prompt: "a dog",
      maxLength: 50,
      temperature: 0,
    });
    for await (const _ of stream) break;
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("answers a conversation's next turn, and says what is wrong with a bad one", async () => {
    const world = await seedWorld(api.db, people);
    await storeCheckpoint(api.db, world.bestTrial.id, "byte");
    const viewer = api.as(people.viewer);
    const request = {
      trialId: world.bestTrial.id,
      messages: [
        { role: "user" as const, content: "hello" },
        { role: "assistant" as const, content: "hi" },
        { role: "user" as const, content: "spell cat" },
      ],
      maxLength: 8,
      temperature: 1,
      seed: 3,
    };
    const reply = await collect(await viewer.trials.generate(request));
    expect(reply.length).toBeGreaterThan(0);
    expect(reply.length).toBeLessThanOrEqual(8);
    expect(await collect(await viewer.trials.generate(request))).toEqual(reply);

    const markerInside = {
      ...request,
      messages: [{ role: "user" as const, content: "a<|endoftext|>b" }],
    };
    await expect(collect(await viewer.trials.generate(markerInside))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^messages: .*<\|endoftext\|>/),
    });
    await expect(viewer.trials.generate({ ...request, prompt: "both" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("give a prompt or messages, not both"),
    });
  });

  it("refuses a trial without a checkpoint, and a prompt the tokenizer cannot read", async () => {
    const world = await seedWorld(api.db, people);
    const viewer = api.as(people.viewer);
    const request = { trialId: world.queuedTrial.id, prompt: "hi", maxLength: 3, temperature: 1 };
    await expect(collect(await viewer.trials.generate(request))).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `trial ${world.queuedTrial.id} has no checkpoint yet; it saves one as it trains`,
    });
    await storeCheckpoint(api.db, world.queuedTrial.id);
    await expect(
      collect(await viewer.trials.generate({ ...request, prompt: "QUIZ" })),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: /^prompt: character/ });
  });
});

describe("studies.live", () => {
  it("sends the progress, then each change, and ends when the study completes", async () => {
    const world = await seedWorld(api.db, people);
    const studyId = world.runningStudy.id;
    const stream = (await api.as(people.viewer).studies.live({ studyId }))[Symbol.asyncIterator]();

    const { id: firstId, data: first } = snapshot(await stream.next());
    expect(first).toEqual({
      status: "running",
      trialsByState: { queued: 1, completed: 1 },
      bestTrialId: world.bestTrial.id,
      bestValues: [1.25],
      runningTrials: [],
    });

    await updateTrial(api.db, world.queuedTrial.id, { state: "running" });
    await writeMetrics(api.db, [{ trialId: world.queuedTrial.id, key: "loss", step: 7, value: 2 }]);
    const { id: changeId, data: change } = snapshot(await stream.next());
    expect(change).toMatchObject({
      trialsByState: { running: 1, completed: 1 },
      runningTrials: [{ trialId: world.queuedTrial.id, number: 0, latestStep: 7 }],
    });
    expect(changeId).not.toBe(firstId);

    await updateStudyStatus(api.db, studyId, "completed");
    expect(snapshot(await stream.next()).data).toMatchObject({ status: "completed" });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("resumes after the last snapshot a client saw, sending only what changed since", async () => {
    const world = await seedWorld(api.db, people);
    const studyId = world.runningStudy.id;
    const viewer = api.as(people.viewer);
    const seen = (await viewer.studies.live({ studyId }))[Symbol.asyncIterator]();
    const { id: lastEventId } = snapshot(await seen.next());
    await seen.return?.(undefined);

    const resumed = (await viewer.studies.live({ studyId, lastEventId }))[Symbol.asyncIterator]();
    const pending = resumed.next();
    await updateStudyStatus(api.db, studyId, "cancelled");
    expect(snapshot(await pending).data).toMatchObject({ status: "cancelled" });
  });
});
