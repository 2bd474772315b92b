// docs/deployment.md lists every environment variable the code reads: a `process.env.X` (or a
// runner setting's `env.X`) anywhere in apps/, packages/, scripts/ or e2e/ must be in its table.
// Test files are left out: they set variables to exercise the code that reads them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { studyLimitVariables } from "../src/tuning/limits.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const skippedFolders = new Set(["node_modules", "dist", "build", "artifacts", "test-results"]);
const sourceFile = /\.(ts|tsx|mts|js|mjs|cjs)$/;
const testFile = /\.(test|spec)\.tsx?$/;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      return entry.name.startsWith(".") || skippedFolders.has(entry.name) ? [] : sourceFiles(path);
    }
    return sourceFile.test(entry.name) && !testFile.test(entry.name) ? [path] : [];
  });
}

/** Variable name → the files that read it. */
function variablesInSource(): Map<string, string[]> {
  const reads =
    /process\.env\.([A-Za-z_][A-Za-z0-9_]*)|process\.env\[["'`]([^"'`]+)["'`]\]|\benv\??\.([A-Z][A-Z0-9_]+)/g;
  const found = new Map<string, string[]>();
  for (const folder of ["apps", "packages", "scripts", "e2e"]) {
    for (const file of sourceFiles(join(root, folder))) {
      for (const match of readFileSync(file, "utf8").matchAll(reads)) {
        const name = (match[1] ?? match[2] ?? match[3]) as string;
        found.set(name, [...(found.get(name) ?? []), file.slice(root.length + 1)]);
      }
    }
  }
  return found;
}

/** The first column of the table under "## Environment variables". */
function documentedVariables(): Set<string> {
  const page = readFileSync(join(root, "docs", "deployment.md"), "utf8");
  const section = page.split("## Environment variables")[1]?.split("\n## ")[0] ?? "";
  const names = [...section.matchAll(/^\| `([^`]+)` /gm)].map((match) => match[1] as string);
  return new Set(names);
}

describe("docs/deployment.md", () => {
  it("lists every environment variable the code reads", () => {
    const documented = documentedVariables();
    expect(documented.has("DATABASE_URL")).toBe(true);
    const missing = [...variablesInSource()]
      .filter(([name]) => !documented.has(name))
      .map(([name, files]) => `${name} (read in ${[...new Set(files)].join(", ")})`);
    expect(missing, "add these to the table in docs/deployment.md").toEqual([]);
  });

  // Read by name from a table (studyLimitsFromEnv), which the scan above cannot see.
  it("lists the study limits' variables", () => {
    const documented = documentedVariables();
    const missing = Object.values(studyLimitVariables).filter((name) => !documented.has(name));
    expect(missing, "add these to the table in docs/deployment.md").toEqual([]);
  });
});
