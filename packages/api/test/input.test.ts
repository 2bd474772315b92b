// Malformed, missing, oversize and hostile input: every procedure answers BAD_REQUEST with zod's
// own message and changes nothing.
import { createProject, getProject } from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { callAt, databaseFingerprint, procedureAt, useApi } from "./harness.ts";
import { procedureCases } from "./procedures.ts";
import { type People, seedWorld, signUpPeople, type World } from "./world.ts";

const api = useApi();
let people: People;
let world: World;

beforeAll(async () => {
  people = await signUpPeople(api);
  world = await seedWorld(api.db, people);
});

/** Over every limit, the dataset upload's 32 MiB included. */
const HUGE = "x".repeat(40_000_000);
const SQL = "'; DROP TABLE users; --";
/** Fields where any text is valid, SQL-looking text included (it is stored as written). */
const FREE_TEXT = new Set([
  "name",
  "description",
  "content",
  "spec",
  "config",
  "fileName",
  "prompt",
]);

interface Variant {
  label: string;
  input: unknown;
}

/** `input` with one more own field named `key`, as JSON.parse makes it from a request body. */
function withOwnField(input: object | undefined, key: string, value: unknown): unknown {
  const rest = JSON.stringify(input ?? {}).slice(1);
  return JSON.parse(
    `{${JSON.stringify(key)}:${JSON.stringify(value)}${rest === "}" ? "}" : `,${rest}`}`,
  );
}

function wrongType(value: unknown): unknown {
  return typeof value === "string" ? 12345 : typeof value === "number" ? String(value) : "yes";
}

function isOptional(schema: z.ZodType, valid: Record<string, unknown>, field: string): boolean {
  const { [field]: _, ...without } = valid;
  return schema.safeParse(without).success;
}

function variantsOf(schema: z.ZodType, valid: unknown): Variant[] {
  const base = valid as Record<string, unknown> | undefined;
  const variants: Variant[] = [
    { label: "null", input: null },
    { label: "a string", input: SQL },
    { label: "an array", input: [valid] },
    { label: "unknown fields", input: { ...base, role: "owner", isAdmin: true } },
    { label: "a __proto__ field", input: withOwnField(base, "__proto__", { isAdmin: true }) },
    {
      label: "a constructor.prototype field",
      input: withOwnField(base, "constructor", { prototype: { isAdmin: true } }),
    },
  ];
  if (!schema.safeParse(undefined).success) variants.push({ label: "no input", input: undefined });
  if (base === undefined) return variants;
  for (const [field, value] of Object.entries(base)) {
    const replaced = (label: string, replacement: unknown) =>
      variants.push({ label: `${field} ${label}`, input: { ...base, [field]: replacement } });
    if (!isOptional(schema, base, field)) {
      const { [field]: _, ...without } = base;
      variants.push({ label: `${field} missing`, input: without });
    }
    replaced("of the wrong type", wrongType(value));
    replaced("null", null);
    replaced("an object", { $gt: "" });
    if (typeof value === "string") {
      replaced("oversize", HUGE);
      if (!FREE_TEXT.has(field)) {
        replaced("empty", "");
        replaced("SQL-looking", SQL);
      }
    }
    if (typeof value === "number") {
      replaced("far out of range", 1e15);
      replaced("not finite", Number.POSITIVE_INFINITY);
    }
  }
  return variants;
}

describe.each(procedureCases)("$path", ({ path, input }) => {
  it("refuses bad input with zod's message and changes nothing", async () => {
    const schema = procedureAt(path)._def.inputs[0] as z.ZodType;
    const caller = api.as(people.owner);
    const before = await databaseFingerprint(api.db);
    const variants = variantsOf(schema, input(world, people, "owner"));
    for (const variant of variants) {
      const expected = schema.safeParse(variant.input);
      expect(expected.success, `zod accepts ${variant.label}`).toBe(false);
      const error = await callAt(caller, path, variant.input).then(
        () => undefined,
        (failure: Error & { code?: string }) => failure,
      );
      expect(error, variant.label).toMatchObject({
        code: "BAD_REQUEST",
        message: z.prettifyError(expected.error as z.ZodError),
      });
    }
    expect(await databaseFingerprint(api.db)).toEqual(before);
  });
});

it("stores SQL-looking and odd but valid text exactly as written", async () => {
  const name = `Robert'); DROP TABLE projects; -- \u{1F600} "quoted" \\ back`;
  const created = await callAt(api.as(people.owner), "projects.create", {
    teamId: world.team.id,
    name,
    description: "1; DELETE FROM users",
  });
  const stored = await getProject(api.db, (created as { id: string }).id);
  expect(stored).toMatchObject({ name, description: "1; DELETE FROM users" });
  // The table is still there and still takes rows.
  await createProject(api.db, { teamId: world.team.id, name: "after" });
});
