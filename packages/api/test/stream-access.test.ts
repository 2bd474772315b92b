// Streams check access again as they run: whatever takes the caller's access away ends their open
// studies.live and trials.generate streams within 5 s, with an error event that says why.
import { setTimeout as sleep } from "node:timers/promises";
import { selectBackend } from "@attune/core/train";
import { updateStudyStatus } from "@attune/db";
import * as tf from "@tensorflow/tfjs";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { appRouter } from "../src/root.ts";
import { ACCESS_RECHECK_MS } from "../src/streams.ts";
import { createTRPCContext } from "../src/trpc.ts";
import { storeCheckpoint } from "./checkpoints.ts";
import { APP_URL, type Caller, cookieFrom, PASSWORD, uniqueName, useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople, type World } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
  // The backend every machine has, so that the generated text does not depend on what is installed.
  process.env.ATTUNE_TF_BACKEND = "wasm";
  await selectBackend();
});

/** A world whose viewer holds an API key. */
async function worldWithViewerKey() {
  const world = await seedWorld(api.db, people);
  const { key, apiKey } = await api
    .as(people.viewer)
    .apiKeys.create({ teamId: world.team.id, name: uniqueName("script") });
  return { world, key, apiKeyId: apiKey.id };
}

type Setup = Awaited<ReturnType<typeof worldWithViewerKey>>;

/** A stream of each kind, as its caller iterates it. */
const STREAMS = {
  "studies.live": async (caller: Caller, world: World) =>
    (await caller.studies.live({ studyId: world.runningStudy.id }))[Symbol.asyncIterator](),
  "trials.generate": async (caller: Caller, world: World) => {
    await storeCheckpoint(api.db, world.bestTrial.id);
    // Greedy, this untrained model repeats one character, never the end of text: the stream lasts.
    const request = { trialId: world.bestTrial.id, prompt: "the", maxLength: 500, temperature: 0 };
    return (await caller.trials.generate(request))[Symbol.asyncIterator]();
  },
};

/**
 * What takes the viewer's access away: the caller their stream is opened as, what ends its access,
 * and the error the stream then ends with. Viewer is the lowest role, so a viewer left with no role
 * is one removed or gone from the team.
 */
const ACCESS_ENDINGS = [
  {
    ending: "an admin removes them from the team",
    caller: () => api.as(people.viewer),
    end: ({ world }: Setup) =>
      api.as(people.admin).members.remove({ teamId: world.team.id, userId: people.viewer.userId }),
    error: { code: "NOT_FOUND" },
  },
  {
    ending: "they leave the team",
    caller: () => api.as(people.viewer),
    end: ({ world }: Setup) => api.as(people.viewer).teams.leave({ teamId: world.team.id }),
    error: { code: "NOT_FOUND" },
  },
  {
    ending: "their API key is revoked",
    caller: ({ key }: Setup) => api.withApiKey(key),
    end: ({ world, apiKeyId }: Setup) =>
      api.as(people.viewer).apiKeys.revoke({ teamId: world.team.id, apiKeyId }),
    error: { code: "UNAUTHORIZED", message: "the API key has been revoked" },
  },
  {
    ending: "their API key expires",
    caller: ({ key }: Setup) => api.withApiKey(key),
    end: ({ apiKeyId }: Setup) =>
      api.db.$client.query("update api_keys set expires_at = now() where id = $1", [apiKeyId]),
    error: { code: "UNAUTHORIZED", message: "the API key has expired" },
  },
  {
    ending: "the team is deleted",
    caller: () => api.as(people.viewer),
    end: ({ world }: Setup) =>
      api.db.$client.query("delete from teams where id = $1", [world.team.id]),
    error: { code: "NOT_FOUND" },
  },
];

const CASES = Object.keys(STREAMS).flatMap((stream) =>
  ACCESS_ENDINGS.map((ending) => ({ stream: stream as keyof typeof STREAMS, ...ending })),
);

/** Reads an item every `paceMs` until the stream fails: its error, and the seconds since `since`. */
async function failureOf(stream: AsyncIterator<unknown>, since: number, paceMs = 100) {
  try {
    while (!(await stream.next()).done) await sleep(paceMs);
  } catch (error) {
    return { error, seconds: (performance.now() - since) / 1000 };
  }
  throw new Error("the stream ended without an error");
}

describe("a stream whose caller loses access", () => {
  it.each(CASES)("$stream ends within 5 s when $ending", async (testCase) => {
    const setup = await worldWithViewerKey();
    const stream = await STREAMS[testCase.stream](testCase.caller(setup), setup.world);
    const tensorsBefore = tf.memory().numTensors;
    await stream.next();

    const lostAt = performance.now();
    await testCase.end(setup);
    const { error, seconds } = await failureOf(stream, lostAt);

    expect(error).toMatchObject(testCase.error);
    expect(seconds).toBeLessThan(5);
    // The generation's model is freed once its stream ends.
    await vi.waitFor(() => expect(tf.memory().numTensors).toBe(tensorsBefore));
  });

  it("ends within 5 s when the session it was opened with signs out", async () => {
    const { world } = await worldWithViewerKey();
    const signIn = await api.authRequest("/sign-in/email", {
      body: { email: people.viewer.email, password: PASSWORD },
    });
    const cookie = cookieFrom(signIn);
    const caller = api.caller(new Headers({ cookie }));
    const stream = await STREAMS["studies.live"](caller, world);
    await stream.next();

    const lostAt = performance.now();
    const signOut = await api.authRequest("/sign-out", { method: "POST", body: {}, cookie });
    expect(signOut.status).toBe(200);
    const { error, seconds } = await failureOf(stream, lostAt);

    expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "the session has ended" });
    expect(seconds).toBeLessThan(5);
  });

  it("goes on while access holds, without spending its API key's rate limit", async () => {
    const { world, key, apiKeyId } = await worldWithViewerKey();
    await api.db.$client.query("update api_keys set rate_limit_max = 1 where id = $1", [apiKeyId]);
    const stream = await STREAMS["studies.live"](api.withApiKey(key), world);
    await stream.next();
    const pending = stream.next();
    await sleep(ACCESS_RECHECK_MS * 2.5);
    await updateStudyStatus(api.db, world.runningStudy.id, "completed");
    expect((await pending).done).toBe(false);
  });
});

describe("over HTTP", () => {
  /** The server-sent events of a response as they come, each with its event name and data. */
  async function* serverSentEvents(response: Response) {
    const reader = (response.body as ReadableStream<Uint8Array>)
      .pipeThrough(new TextDecoderStream())
      .getReader();
    let buffered = "";
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += value;
      const blocks = buffered.split("\n\n");
      buffered = blocks.pop() ?? "";
      for (const block of blocks) {
        const field = (name: string) => block.match(new RegExp(`^${name}: ?(.*)$`, "m"))?.[1];
        const data = field("data");
        yield { event: field("event") ?? "message", data: data ? JSON.parse(data) : undefined };
      }
    }
  }

  it("sends studies.live's client an error event within 5 s of its API key's revocation", async () => {
    const { world, key, apiKeyId } = await worldWithViewerKey();
    const input = encodeURIComponent(
      JSON.stringify(superjson.serialize({ studyId: world.runningStudy.id })),
    );
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`${APP_URL}/api/trpc/studies.live?input=${input}`, {
        headers: { authorization: `Bearer ${key}` },
      }),
      router: appRouter,
      createContext: ({ req }) =>
        createTRPCContext({ headers: req.headers, db: api.db, auth: api.auth, appUrl: APP_URL }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");

    let revokedAt: number | undefined;
    const afterRevocation: string[] = [];
    for await (const { event, data } of serverSentEvents(response)) {
      if (revokedAt === undefined && event === "message") {
        revokedAt = performance.now();
        await api.as(people.viewer).apiKeys.revoke({ teamId: world.team.id, apiKeyId });
      } else if (revokedAt !== undefined) {
        afterRevocation.push(event);
        if (event === "serialized-error") {
          expect(data.json.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
          expect(data.json.message).toBe("the API key has been revoked");
          expect((performance.now() - revokedAt) / 1000).toBeLessThan(5);
        }
      }
    }
    expect(afterRevocation).toContain("serialized-error");
  });
});
