// API keys: shown once and stored hashed, acting for one team with their user's role, refused when
// wrong, revoked or expired, and rate-limited per key in the database.
import { createTeam, getMemberRole } from "@attune/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import { API_KEY_PREFIX, hashApiKey } from "../src/api-keys.ts";
import { retryAfterMeta } from "../src/retry-after.ts";
import { appRouter } from "../src/root.ts";
import { createTRPCContext } from "../src/trpc.ts";
import { APP_URL, outcomeOf, uniqueName, useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople, type World } from "./world.ts";

const api = useApi();
let people: People;
let world: World;

beforeAll(async () => {
  people = await signUpPeople(api);
  world = await seedWorld(api.db, people);
});

async function newKey(role: keyof People = "owner", teamId = world.team.id) {
  return api.as(people[role]).apiKeys.create({ teamId, name: uniqueName("script") });
}

async function storedKey(id: string) {
  const row = await api.db.query.apiKeys.findFirst({ where: (key, { eq }) => eq(key.id, id) });
  if (!row) throw new Error(`no API key ${id}`);
  return row;
}

describe("creating a key", () => {
  it("shows the key once and stores only its hash", async () => {
    const { key, apiKey } = await newKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key.length).toBeGreaterThan(40);
    expect(apiKey).not.toHaveProperty("key");
    expect(apiKey.start).toBe(key.slice(0, apiKey.start?.length));
    const stored = await storedKey(apiKey.id);
    expect(stored.key).toBe(hashApiKey(key));
    expect(stored.key).not.toContain(key.slice(API_KEY_PREFIX.length));
    const listed = await api.as(people.owner).apiKeys.list({ teamId: world.team.id });
    expect(listed.map((listedKey) => listedKey.id)).toContain(apiKey.id);
    for (const listedKey of listed) expect(listedKey).not.toHaveProperty("key");
  });
});

describe("a valid key", () => {
  it("acts for its user in its team and records each use", async () => {
    const { key, apiKey } = await newKey("member");
    const projects = await api.withApiKey(key).projects.list({ teamId: world.team.id });
    expect(projects.map((project) => project.id)).toContain(world.project.id);
    const created = await api
      .withApiKey(key)
      .projects.create({ teamId: world.team.id, name: uniqueName("p") });
    expect(created.createdBy).toBe(people.member.userId);
    const stored = await storedKey(apiKey.id);
    expect(stored.requestCount).toBe(2);
    expect(stored.lastRequest).toBeInstanceOf(Date);
  });

  it("reaches no other team, even one its user belongs to", async () => {
    const slug = uniqueName("second");
    const { team: second } = await createTeam(api.db, { name: slug, slug }, people.owner.userId);
    const { key } = await newKey("owner");
    expect(await outcomeOf(api.withApiKey(key).projects.list({ teamId: second.id }))).toBe(
      "NOT_FOUND",
    );
    expect(await api.withApiKey(key).teams.list()).toEqual([
      expect.objectContaining({ id: world.team.id, role: "owner" }),
    ]);
  });

  it("has its user's role: a viewer's key only reads", async () => {
    const { key } = await newKey("viewer");
    expect(await outcomeOf(api.withApiKey(key).projects.list({ teamId: world.team.id }))).toBe(
      "ok",
    );
    expect(
      await outcomeOf(api.withApiKey(key).projects.create({ teamId: world.team.id, name: "nope" })),
    ).toBe("FORBIDDEN");
  });

  it("cannot manage keys or create teams", async () => {
    const { key, apiKey } = await newKey("owner");
    const asKey = api.withApiKey(key);
    expect(await outcomeOf(asKey.apiKeys.create({ teamId: world.team.id, name: "child" }))).toBe(
      "FORBIDDEN",
    );
    expect(
      await outcomeOf(asKey.apiKeys.revoke({ teamId: world.team.id, apiKeyId: apiKey.id })),
    ).toBe("FORBIDDEN");
    expect(
      await outcomeOf(asKey.teams.create({ name: "From a script", slug: uniqueName("s") })),
    ).toBe("FORBIDDEN");
  });

  it("loses its reach when its user leaves the team", async () => {
    const { key } = await newKey("admin");
    await api.as(people.admin).teams.leave({ teamId: world.team.id });
    expect(await getMemberRole(api.db, world.team.id, people.admin.userId)).toBeUndefined();
    expect(await outcomeOf(api.withApiKey(key).projects.list({ teamId: world.team.id }))).toBe(
      "NOT_FOUND",
    );
  });
});

describe("a refused key", () => {
  it.each([
    ["Bearer att_wrong", "the API key is not valid"],
    ["Basic dXNlcjpwYXNz", 'the Authorization header must read "Bearer <API key>"'],
    ["Bearer", 'the Authorization header must read "Bearer <API key>"'],
  ])("%s is unauthorized", async (authorization, message) => {
    const caller = api.caller(new Headers({ authorization }));
    await expect(caller.projects.list({ teamId: world.team.id })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message,
    });
  });

  it("is unauthorized once revoked, and stays revoked", async () => {
    const { key, apiKey } = await newKey("owner");
    await api.as(people.owner).apiKeys.revoke({ teamId: world.team.id, apiKeyId: apiKey.id });
    await expect(api.withApiKey(key).teams.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "the API key has been revoked",
    });
    expect((await storedKey(apiKey.id)).enabled).toBe(false);
  });

  it("is unauthorized once expired", async () => {
    const { key, apiKey } = await newKey("owner");
    await api.db.$client.query(
      "update api_keys set expires_at = now() - interval '1 second' where id = $1",
      [apiKey.id],
    );
    await expect(api.withApiKey(key).teams.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "the API key has expired",
    });
  });

  it("cannot revoke another user's key", async () => {
    const { apiKey } = await newKey("member");
    await expect(
      api.as(people.owner).apiKeys.revoke({ teamId: world.team.id, apiKeyId: apiKey.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: `API key ${apiKey.id} not found` });
    expect((await storedKey(apiKey.id)).enabled).toBe(true);
  });
});

describe("the rate limit", () => {
  async function limitedKey(max: number, timeWindowMs = 60_000) {
    const created = await newKey("owner");
    await api.db.$client.query(
      "update api_keys set rate_limit_max = $1, rate_limit_time_window = $2 where id = $3",
      [max, timeWindowMs, created.apiKey.id],
    );
    return created;
  }

  it("refuses calls over the limit until a quiet window has passed", async () => {
    const { key, apiKey } = await limitedKey(3);
    const asKey = api.withApiKey(key);
    for (let i = 0; i < 3; i++) await asKey.teams.list();
    await expect(asKey.teams.list()).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^the API key made too many requests; retry in (59|60) s$/),
    });
    // A refused call does not extend the window.
    expect((await storedKey(apiKey.id)).requestCount).toBe(3);
    // As if a quiet minute had passed.
    await api.db.$client.query(
      "update api_keys set last_request = now() - interval '61 seconds' where id = $1",
      [apiKey.id],
    );
    await expect(asKey.teams.list()).resolves.toHaveLength(1);
    expect((await storedKey(apiKey.id)).requestCount).toBe(1);
  });

  it("counts concurrent calls exactly", async () => {
    const { key } = await limitedKey(5);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => outcomeOf(api.withApiKey(key).teams.list())),
    );
    expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === "TOO_MANY_REQUESTS")).toHaveLength(7);
  });

  it("counts each call of a batch", async () => {
    const { key } = await limitedKey(2);
    const input = encodeURIComponent(
      JSON.stringify({ 0: { json: undefined }, 1: { json: undefined }, 2: { json: undefined } }),
    );
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(
        `${APP_URL}/api/trpc/teams.list,teams.list,teams.list?batch=1&input=${input}`,
        {
          headers: { authorization: `Bearer ${key}` },
        },
      ),
      router: appRouter,
      createContext: ({ req }) =>
        createTRPCContext({ headers: req.headers, db: api.db, auth: api.auth, appUrl: APP_URL }),
    });
    const results = (await response.json()) as { error?: { json: { data: { code: string } } } }[];
    // The calls of a batch run concurrently: which one is refused varies, how many does not.
    expect(results.map((result) => result.error?.json.data.code ?? "ok").sort()).toEqual([
      "TOO_MANY_REQUESTS",
      "ok",
      "ok",
    ]);
  });
});

describe("over HTTP", () => {
  async function get(path: string, input: unknown, authorization: string): Promise<Response> {
    const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`${APP_URL}/api/trpc/${path}?input=${query}`, {
        headers: { authorization },
      }),
      router: appRouter,
      createContext: ({ req }) =>
        createTRPCContext({ headers: req.headers, db: api.db, auth: api.auth, appUrl: APP_URL }),
      responseMeta: retryAfterMeta,
    });
  }

  it("answers 200 for a valid key, 401 for a wrong one and 429 over the limit", async () => {
    const { key, apiKey } = await newKey("owner");
    const input = { teamId: world.team.id };
    expect((await get("projects.list", input, `Bearer ${key}`)).status).toBe(200);
    expect((await get("projects.list", input, "Bearer att_wrong")).status).toBe(401);
    await api.db.$client.query("update api_keys set rate_limit_max = 1 where id = $1", [apiKey.id]);
    const limited = await get("projects.list", input, `Bearer ${key}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
