import { describe, expect, it } from "vitest";
import { describeConflict } from "../src/trpc.ts";

describe("describeConflict", () => {
  it("names the taken value and the scope of a name", () => {
    expect(
      describeConflict({
        table: "studies",
        detail:
          "Key (project_id, name)=(2b1f8c7e-0000-4000-8000-000000000000, small-lm) already exists.",
      }),
    ).toBe('a study named "small-lm" already exists in this project');
  });

  it("names other columns as they are", () => {
    expect(describeConflict({ table: "teams", detail: "Key (slug)=(acme) already exists." })).toBe(
      'a team with slug "acme" already exists',
    );
  });

  it("falls back to PostgreSQL's words when the detail cannot be read", () => {
    expect(describeConflict({ table: "teams", detail: "Key (slug)=(a, b) already exists." })).toBe(
      "already exists: Key (slug)=(a, b) already exists.",
    );
    expect(describeConflict({})).toBe("already exists: a row with the same unique values");
  });
});
