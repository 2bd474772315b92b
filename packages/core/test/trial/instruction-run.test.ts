/**
 * Instruction and dialogue trials end to end: trained on completions only, evaluated by generating
 * completions for validation prompts and scoring them, the scores reported as evaluation metrics.
 */
import { describe, expect, it } from "vitest";
import type { Conversation, InstructionDataset } from "../../src/data/instruction-dataset.ts";
import { metricsForTask } from "../../src/eval/metric-definitions.ts";
import type { EvalReport } from "../../src/train/trainer.ts";
import { TrialConfigError } from "../../src/trial/config-error.ts";
import { evaluationMetrics } from "../../src/trial/metrics.ts";
import { runTrial, type TrialRunOptions } from "../../src/trial/run.ts";
import { buildTrialPlan } from "../../src/trial/settings.ts";
import { prepareData } from "../../src/trial/task-data.ts";
import { reversalTask } from "../data/synthetic-tasks.ts";
import { useWasmBackend } from "../tf-backend.ts";

useWasmBackend();

/** Reversal of 3-letter strings: a one-layer model learns it in about 200 steps. */
const reversal: InstructionDataset = {
  format: "prompt-completion",
  examples: reversalTask({ count: 400, seed: 3, length: { min: 3, max: 3 }, alphabet: "abcd" }),
};

const tiny = {
  layers: 1,
  d_model: 32,
  heads: 4,
  seq_len: 40,
  batch_size: 16,
  lr: 3e-3,
  schedule: "constant",
  dropout: 0,
  eval_examples: 40,
  max_new_tokens: 5,
};

/** Every metric but those of labels. */
const freeTextMetrics: string[] = metricsForTask("instruction");

async function recordedTrial(options: Partial<TrialRunOptions>) {
  const evals: EvalReport[] = [];
  const outcome = await runTrial({
    task: "instruction",
    dataset: reversal,
    settings: tiny,
    budget: { steps: 1 },
    seed: 1,
    ...options,
    onEval: (report) => {
      evals.push(report);
    },
  });
  return { outcome, evals };
}

const exactMatch = (report: EvalReport | undefined) =>
  report?.generationMetrics?.exact_match ?? Number.NaN;

describe("an instruction trial", () => {
  it("learns to reverse strings: exact match far above an untrained model's, reported at each evaluation", async () => {
    const untrained = await recordedTrial({ settings: { ...tiny, lr: 1e-9 } });
    const trained = await recordedTrial({
      budget: { steps: 250 },
      settings: { ...tiny, eval_every: 125 },
    });
    expect(exactMatch(untrained.evals.at(-1))).toBeLessThan(0.1);
    expect(exactMatch(trained.evals.at(-1))).toBeGreaterThan(0.5);

    expect(trained.evals.map((report) => report.step)).toEqual([125, 250]);
    for (const report of trained.evals) {
      expect(Object.keys(evaluationMetrics(report)).sort()).toEqual(
        ["val_loss", "val_perplexity", ...freeTextMetrics].sort(),
      );
      expect(report.samples).toHaveLength(5);
    }
    // The same validation prompts at every evaluation, shown beside their references.
    const [first, last] = trained.evals.map((report) => report.samples ?? []);
    expect(last?.map(({ line, prompt }) => ({ line, prompt }))).toEqual(
      first?.map(({ line, prompt }) => ({ line, prompt })),
    );
    for (const sample of last ?? []) {
      const example = reversal.examples.find((e) => e.line === sample.line);
      expect(sample.prompt).toBe(`<|user|>\n${example?.prompt}<|endoftext|>\n<|assistant|>\n`);
      expect(sample.reference).toBe(example?.completion);
    }
    expect(trained.outcome.metrics.chrf).toBe(trained.evals.at(-1)?.generationMetrics?.chrf);
  }, 300_000);

  it("scores completions that are labels by accuracy and macro-F1 too", async () => {
    const labelled: InstructionDataset = {
      format: "prompt-completion",
      examples: reversal.examples.map((example) => ({
        ...example,
        completion: example.prompt.startsWith("a") ? "yes" : "no",
      })),
    };
    const { evals } = await recordedTrial({
      dataset: labelled,
      objective: { metric: "macro_f1", direction: "maximize" },
    });
    expect(Object.keys(evals[0]?.generationMetrics ?? {}).sort()).toEqual(
      [...freeTextMetrics, "accuracy", "macro_f1"].sort(),
    );
  });

  it("refuses a label objective when the completions are free text", async () => {
    const run = recordedTrial({ objective: { metric: "accuracy", direction: "maximize" } });
    await expect(run).rejects.toThrow(TrialConfigError);
    await expect(
      recordedTrial({ objective: { metric: "accuracy", direction: "maximize" } }),
    ).rejects.toThrow(/objective metric "accuracy" needs completions that are labels/);
  });

  it("fails, counting them, when examples are longer than seq_len instead of cutting them", async () => {
    await expect(recordedTrial({ settings: { ...tiny, seq_len: 24 } })).rejects.toThrow(
      /400 of 400 examples are longer than seq_len 24 tokens \(lines 1, 2, 3, 4, 5, …\)/,
    );
  });

  it("needs instruction data, and text data for the other tasks", async () => {
    await expect(
      recordedTrial({ dataset: { format: "text", samples: [{ text: "abc" }] } }),
    ).rejects.toThrow(
      "task instruction needs a prompt/completion or chat dataset, not a text dataset",
    );
    await expect(recordedTrial({ task: "language-modelling" })).rejects.toThrow(
      "task language-modelling needs a text dataset, this one is prompt-completion instruction data",
    );
    await expect(recordedTrial({ task: "dialogue" })).rejects.toThrow(
      "task dialogue needs a chat dataset",
    );
  });
});

describe("a dialogue trial", () => {
  const conversations: Conversation[] = reversal.examples.map((example) => ({
    line: example.line,
    messages: [
      { role: "user", content: example.prompt },
      { role: "assistant", content: "ok" },
      { role: "user", content: "reverse it" },
      { role: "assistant", content: example.completion },
    ],
  }));
  const chat: InstructionDataset = { format: "chat", examples: conversations };

  it("trains on every assistant turn or only the last, as loss_on says", () => {
    const trainedTargets = (lossOn: string) => {
      const settings = { ...tiny, seq_len: 96, loss_on: lossOn };
      const plan = buildTrialPlan(settings, {
        task: "dialogue",
        dataset: chat,
        budget: { steps: 1 },
      });
      return prepareData(plan, chat, 1).validation.reduce(
        (sum, batch) => sum + ("lossMask" in batch ? batch.lossMask.reduce((a, b) => a + b) : 0),
        0,
      );
    };
    // 40 validation conversations: "ok" and its end-of-turn, then 3 letters and theirs.
    expect(trainedTargets("all-turns")).toBe(40 * (3 + 4));
    expect(trainedTargets("last-turn")).toBe(40 * 4);
  });

  it("generates the last assistant turn and scores it against the conversation's", async () => {
    const { evals } = await recordedTrial({
      task: "dialogue",
      dataset: chat,
      settings: { ...tiny, seq_len: 96 },
    });
    const [sample] = evals[0]?.samples ?? [];
    const example = conversations.find((conversation) => conversation.line === sample?.line);
    expect(sample?.reference).toBe(example?.messages[3]?.content);
    expect(sample?.prompt.endsWith("<|user|>\nreverse it<|endoftext|>\n<|assistant|>\n")).toBe(
      true,
    );
    expect(Object.keys(evals[0]?.generationMetrics ?? {})).toContain("rougeL");
  });
});
