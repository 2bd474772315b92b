import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { knownSettings } from "../../src/trial/settings-schema.ts";
import { prunerSpecSchema } from "../../src/tuning/pruner-spec.ts";
import { samplerSpecSchema } from "../../src/tuning/samplers/index.ts";
import { fieldTable } from "../../src/tuning/schema-markdown.ts";
import { parseStudySpec } from "../../src/tuning/spec.ts";
import { studySpecReference } from "../../src/tuning/spec-reference.ts";

const committed = join(import.meta.dirname, "..", "..", "..", "..", "docs", "study-spec.md");

/** The text without the padding the formatter (Biome) adds to table cells after `npm run docs` writes it. */
function unpadded(markdown: string): string {
  return markdown
    .split("\n")
    .map((line) =>
      line.startsWith("|") ? line.replace(/ +/g, " ").replace(/-{3,}/g, "---") : line,
    )
    .join("\n");
}

describe("the study-spec reference", () => {
  const reference = studySpecReference();

  it("is the committed docs/study-spec.md", () => {
    const stale = unpadded(readFileSync(committed, "utf8")) !== unpadded(reference);
    expect(stale, "docs/study-spec.md is stale: run `npm run docs` and commit the result").toBe(
      false,
    );
  });

  it("opens with a spec that parses", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(reference)?.[1] ?? "";
    const result = parseStudySpec(example);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it("lists every trainer setting, sampler and pruner", () => {
    for (const name of knownSettings) expect(reference).toContain(`| \`${name}\` |`);
    const kinds = [...samplerSpecSchema.options, ...prunerSpecSchema.options].map(
      (option) => option.shape.kind.value,
    );
    for (const kind of kinds) {
      expect(reference).toContain(`### \`kind: ${kind}\``);
    }
  });

  it("refuses a field without a description or an example", () => {
    const field = (schema: object) => [{ name: "x", schema, required: false }];
    expect(() => fieldTable("a.", field({ type: "number", examples: [1] }))).toThrow(
      "a.x has no description",
    );
    expect(() => fieldTable("a.", field({ type: "number", description: "X." }))).toThrow(
      "a.x has no example",
    );
  });
});
