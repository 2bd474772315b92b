// Every file in examples/ at the repository root: each study spec parses as the API parses it and
// builds into trial plans the trainer accepts, small enough to train on a CPU in minutes; each
// strategy file is a request the API accepts; and every sampler, pruner, task and strategy has an
// example, so that adding one without an example fails here.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Random } from "../src/random.ts";
import { checkObjectives, modelMetrics } from "../src/trial/metrics.ts";
import { settingErrors } from "../src/trial/setting-errors.ts";
import type { TrialDataset } from "../src/trial/settings.ts";
import { buildTrialPlan } from "../src/trial/settings.ts";
import {
  parseStrategyRequest,
  type StrategyKind,
  strategyOptionsSchemas,
} from "../src/trial/strategy-request.ts";
import { askWithinConstraints } from "../src/tuning/constraints/ask.ts";
import { settingCheck } from "../src/tuning/constraints/study-constraints.ts";
import { prunerSpecSchema } from "../src/tuning/pruner-spec.ts";
import { samplerSpecSchema } from "../src/tuning/samplers/index.ts";
import { RandomSampler } from "../src/tuning/samplers/random.ts";
import { parseStudySpec, type StudySpec, studySpecSchema } from "../src/tuning/spec.ts";

const folder = join(import.meta.dirname, "..", "..", "..", "examples");
const studyFiles = readdirSync(folder).filter((name) => name.endsWith(".yaml"));
const strategyFiles = readdirSync(join(folder, "strategies")).filter((name) =>
  name.endsWith(".yaml"),
);

/** Training FLOPs a whole study may take: minutes on a 2-core CPU, evaluations aside. */
const MAX_STUDY_FLOPS = 3e12;

/** Stand-ins for the built-in corpora: only the tokenizer's vocabulary and the labels matter here. */
const datasets: Record<StudySpec["task"], TrialDataset> = {
  "language-modelling": {
    format: "text",
    samples: [{ text: "Call me Ishmael. Some years ago, never mind how long precisely." }],
  },
  classification: {
    format: "jsonl",
    samples: [
      { text: "Subject: meeting at noon", label: "ham" },
      { text: "Subject: WIN $$$ NOW", label: "spam" },
    ],
    labels: ["ham", "spam"],
  },
  instruction: {
    format: "prompt-completion",
    examples: [{ line: 1, prompt: "ABERDEEN", completion: "AE1 B ER0 D IY2 N" }],
  },
  dialogue: {
    format: "chat",
    examples: [
      {
        line: 1,
        messages: [
          { role: "user", content: "How do you say ABERDEEN?" },
          { role: "assistant", content: "AE1 B ER0 D IY2 N" },
        ],
      },
    ],
  },
};

function readSpec(file: string): StudySpec {
  const result = parseStudySpec(readFileSync(join(folder, file), "utf8"));
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return result.spec;
}

describe("examples/", () => {
  it.each(studyFiles)("%s is a valid study spec whose trials build and are small", (file) => {
    const text = readFileSync(join(folder, file), "utf8");
    expect(text.startsWith("# "), `${file} opens with a comment saying what it shows`).toBe(true);
    const spec = readSpec(file);
    // What the API checks beyond the parser when it creates a study.
    checkObjectives(spec.objectives, spec.task);
    expect(settingErrors(spec)).toEqual([]);

    const random = new Random(1);
    const budget =
      spec.budget.stepsPerTrial !== undefined
        ? { steps: spec.budget.stepsPerTrial }
        : { tokens: spec.budget.tokensPerTrial ?? 0 };
    let flops = 0;
    const draws = 20;
    // Drawn as study control draws them: within the setting constraints.
    const broken = settingCheck(spec);
    const history = { directions: [], trials: [] };
    for (let i = 0; i < draws; i++) {
      const asked = askWithinConstraints(
        new RandomSampler(),
        spec.searchSpace,
        history,
        random,
        broken,
      );
      if (!asked.ok) throw new Error(`${file}: ${asked.problem}`);
      const { params } = asked;
      const plan = buildTrialPlan(
        { ...spec.fixed, ...params },
        { task: spec.task, dataset: datasets[spec.task], budget },
      );
      flops += modelMetrics(plan.model).flops_per_token * plan.steps * plan.tokensPerStep;
    }
    const studyFlops = (flops / draws) * spec.budget.trials;
    expect(studyFlops, `${file} trains too much for a CPU`).toBeLessThan(MAX_STUDY_FLOPS);
  });

  it.each(strategyFiles)("strategies/%s is a strategy request the API accepts", (file) => {
    const kind = file.replace(/\.yaml$/, "");
    expect(Object.keys(strategyOptionsSchemas)).toContain(kind);
    const content = parse(readFileSync(join(folder, "strategies", file), "utf8"));
    // Exactly the shape `attune strategies run … -f` reads.
    expect(Object.keys(content).sort()).toEqual(["options", "trial"]);
    const request = parseStrategyRequest(kind as StrategyKind, content);
    expect(request.kind).toBe(kind);
  });

  it("has an example of every sampler, pruner, task and strategy", () => {
    const specs = studyFiles.map(readSpec);
    const shown = (values: string[]) => [...new Set(values)].sort();
    const kinds = (options: readonly { shape: { kind: { value: string } } }[]) =>
      options.map((option) => option.shape.kind.value).sort();
    expect(shown(specs.map((spec) => spec.sampler.kind))).toEqual(kinds(samplerSpecSchema.options));
    expect(shown(specs.map((spec) => spec.pruner.kind))).toEqual(kinds(prunerSpecSchema.options));
    expect(shown(specs.map((spec) => spec.task))).toEqual(
      [...studySpecSchema.shape.task.options].sort(),
    );
    expect(shown(strategyFiles.map((file) => file.replace(/\.yaml$/, "")))).toEqual(
      Object.keys(strategyOptionsSchemas).sort(),
    );
  });
});
