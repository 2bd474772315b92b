// Bounds on what one team may ask of shared runners and of the web process: names, model sizes,
// budgets, grids and malformed specs are refused with their reason, quickly.
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "./harness.ts";
import { type People, seedWorld, signUpPeople, studySpecText, type World } from "./world.ts";

const api = useApi();
let people: People;
let world: World;

beforeAll(async () => {
  people = await signUpPeople(api);
  world = await seedWorld(api.db, people);
});

/** The world's valid spec, changed. */
function specWith(change: (spec: Record<string, unknown>) => void): string {
  const spec = JSON.parse(studySpecText("bounded", world.dataset.name));
  change(spec);
  return JSON.stringify(spec);
}

/** Each problem studies.validate finds, as "path: message". */
async function problems(spec: string): Promise<string[]> {
  const result = await api
    .as(people.viewer)
    .studies.validate({ projectId: world.project.id, spec });
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
}

describe("names", () => {
  it("need a visible character and one line", async () => {
    const asMember = api.as(people.member);
    for (const name of [
      "\u200b\u200c\u200d",
      "\u2060\ufeff",
      "two\nlines",
      "tab\tand bell\u0007",
    ]) {
      await expect(
        asMember.projects.create({ teamId: world.team.id, name }),
        JSON.stringify(name),
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(
      asMember.projects.create({ teamId: world.team.id, name: "Névé 🏔️ ok" }),
    ).resolves.toMatchObject({ name: "Névé 🏔️ ok" });
  });

  it("of studies are bounded like every other name", async () => {
    const named = (name: string) => problems(specWith((spec) => Object.assign(spec, { name })));
    expect(await named("x".repeat(100_000))).toEqual([
      "name: Too big: expected string to have <=100 characters",
    ]);
    expect(await named("line one\nline two\u0000")).toEqual([
      "name: must not contain control characters, line breaks or direction overrides",
    ]);
    expect(await named("\u200b")).toEqual(["name: must contain a visible character"]);
  });
});

describe("model sizes", () => {
  it("refuse a negative width, each too large dimension and a too large model, giving its size", async () => {
    const fixed = (settings: Record<string, number>) =>
      problems(specWith((spec) => Object.assign(spec, { fixed: settings })));
    expect(await fixed({ d_model: -32 })).toEqual([
      "fixed.d_model: Too small: expected number to be >0, got -32 (d_model: Width of the residual stream.)",
    ]);
    const tooLarge: Record<string, number>[] = [
      { d_model: 2 ** 20 },
      { layers: 1000 },
      { seq_len: 1_000_000 },
      { batch_size: 100_000 },
      { d_model: 65_536, heads: 1, layers: 1 },
    ];
    for (const settings of tooLarge) {
      const [problem, ...more] = await fixed(settings);
      expect(more, JSON.stringify(settings)).toEqual([]);
      expect(problem, JSON.stringify(settings)).toMatch(
        /^fixed: even the smallest trial is too large: the model has [\d,]+ parameters and training it takes about [\d,.]+ GiB, above the limit of [\d,]+ (parameters \(ATTUNE_MAX_MODEL_PARAMETERS\)|GiB \(ATTUNE_MAX_TRIAL_MEMORY_GIB\))$/,
      );
    }
  });
});

describe("budgets", () => {
  it("are under the limits, appended trials included", async () => {
    const budget = { trials: 1_000_000, parallelTrials: 1_000_000, stepsPerTrial: 10 };
    expect(await problems(specWith((spec) => Object.assign(spec, { budget })))).toEqual([
      "budget.trials: 1,000,000 is above the limit of 10,000 (ATTUNE_MAX_TRIALS)",
      "budget.parallelTrials: 1,000,000 is above the limit of 256 (ATTUNE_MAX_PARALLEL_TRIALS)",
    ]);
    const asMember = api.as(people.member);
    await asMember.studies.appendTrials({ studyId: world.runningStudy.id, count: 9_000 });
    await expect(
      asMember.studies.appendTrials({ studyId: world.runningStudy.id, count: 1_000 }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `cannot append 1000 trials to study ${world.runningStudy.id}: its budget would be 10004 trials, above the limit of 10,000 (ATTUNE_MAX_TRIALS)`,
    });
  });
});

describe("grids", () => {
  it("are counted, not listed: a 5,000,000-point grid is refused as fast as a small one is checked", async () => {
    const timed = async <T>(work: () => Promise<T>) => {
      const started = performance.now();
      return { result: await work(), ms: performance.now() - started };
    };
    const grid = (sampler: unknown, searchSpace: unknown) =>
      problems(specWith((spec) => Object.assign(spec, { sampler, searchSpace })));
    for (const [sampler, searchSpace] of [
      [{ kind: "grid" }, { batch_size: { type: "int", low: 1, high: 5_000_000 } }],
      [{ kind: "grid", gridPoints: 3_000_000 }, { lr: { type: "float", low: 1e-4, high: 0.1 } }],
    ]) {
      // Measured side by side, so a busy machine slows both: listing the grid took 7-8 s, a
      // thousand times a small grid's check; counting it takes about the same time.
      const small = await timed(() =>
        grid({ kind: "grid" }, { layers: { type: "int", low: 1, high: 4 } }),
      );
      const huge = await timed(() => grid(sampler, searchSpace));
      expect(small.result).toEqual([]);
      expect(huge.result[0]).toMatch(
        /^sampler: the grid comes to [35],000,000 points, above the limit of 100,000 \(ATTUNE_MAX_GRID_POINTS\)/,
      );
      expect(huge.ms).toBeLessThan(20 * small.ms + 50);
    }
  });
});

describe("malformed specs", () => {
  it("answer BAD_REQUEST with the reason, a YAML alias bomb included", async () => {
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (const [previous, name] of ["ab", "bc", "cd", "de", "ef", "fg", "gh"]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    await expect(
      api.as(people.member).studies.create({ projectId: world.project.id, spec: lines.join("\n") }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message:
        "the study spec is invalid:\n(spec): unreadable YAML: Excessive alias count indicates a resource exhaustion attack",
    });
  });
});
