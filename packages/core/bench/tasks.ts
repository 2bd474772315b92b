/**
 * `npm run bench:tasks`: whether evaluation by generation tells configurations apart, and what it
 * costs. A small GPT is trained from scratch on the built-in grapheme-to-phoneme task (CMUdict:
 * "ABERDEEN" -> "AE1 B ER0 D IY2 N") for a fixed token budget, once with a good learning rate and
 * once with a deliberately poor one, each as an instruction trial (runTrial) whose one evaluation,
 * at the end, writes greedy completions for the same 200 validation prompts and scores them. The
 * last line is the machine-readable result:
 *
 *   bench:tasks task=g2p exact_match_good=<x> exact_match_poor=<y> chrf_good=<a> chrf_poor=<b> eval_ms_per_example=<n>
 *
 * eval_ms_per_example is the good model's evaluation time (validation loss, generation, scoring)
 * per generated prompt. BENCH_TOKENS
 * sets the training budget (default 2,000,000 tokens per setting).
 */
import { loadInstructionCorpus } from "../src/data/corpora.ts";
import type { InstructionDataset } from "../src/data/instruction-dataset.ts";
import { selectBackend } from "../src/train/backend.ts";
import type { EvalReport } from "../src/train/trainer.ts";
import { runTrial } from "../src/trial/run.ts";

const EVAL_EXAMPLES = 200;
const tokens = Number(process.env.BENCH_TOKENS ?? 2_000_000);
const seed = 1;

const backend = await selectBackend();
const SEQ_LEN = 96;
/** The plain template's markers around a prompt and its completion, in characters. */
const TEMPLATE_CHARACTERS = "<|user|>\n\n\n<|assistant|>\n".length + 2;
const dictionary = await loadInstructionCorpus("cmudict");
if (dictionary.format !== "prompt-completion") throw new Error("cmudict is prompt/completion data");
// All but the few longest entries (the longest takes 154 tokens): one example per padded row then
// costs a few times less than with seq_len 160, and rows without packing take the native kernels.
const dataset: InstructionDataset = {
  format: "prompt-completion",
  examples: dictionary.examples.filter(
    (example) => TEMPLATE_CHARACTERS + example.prompt.length + example.completion.length <= SEQ_LEN,
  ),
};
const shared = {
  tokenizer: "char",
  seq_len: SEQ_LEN,
  layers: 2,
  d_model: 96,
  heads: 4,
  batch_size: 16,
  warmup_steps: 50,
  dropout: 0,
  // 0.002 of 125,005 examples: 250 for validation, of which the first 200 are generated for.
  validation_fraction: 0.002,
  eval_examples: EVAL_EXAMPLES,
  max_new_tokens: 64,
  eval_decoding: "greedy",
};
const settings = { good: { ...shared, lr: 3e-3 }, poor: { ...shared, lr: 1e-5 } };

console.log(
  `backend=${backend.name}; ${dataset.examples.length} of cmudict's ${dictionary.examples.length} examples (those that fit seq_len ${SEQ_LEN}), ${tokens} training tokens per setting`,
);
const results: Record<string, { exactMatch: number; chrf: number; msPerExample: number }> = {};
for (const [name, setting] of Object.entries(settings)) {
  const started = performance.now();
  let lastStepEnded = started;
  let final: EvalReport | undefined;
  let msPerExample = Number.NaN;
  const outcome = await runTrial({
    task: "instruction",
    dataset,
    // One evaluation, when the budget is spent.
    settings: { ...setting, eval_every: 1_000_000 },
    budget: { tokens },
    seed,
    onStep: () => {
      lastStepEnded = performance.now();
    },
    onEval: (report) => {
      // The evaluation after the last step: the validation loss, then generating and scoring.
      msPerExample = (performance.now() - lastStepEnded) / EVAL_EXAMPLES;
      final = report;
    },
  });
  const metrics = final?.generationMetrics ?? {};
  results[name] = {
    exactMatch: metrics.exact_match ?? Number.NaN,
    chrf: metrics.chrf ?? Number.NaN,
    msPerExample,
  };
  console.log(
    `${name}: lr=${setting.lr} steps=${outcome.step} s=${((performance.now() - started) / 1000).toFixed(1)} train_loss=${outcome.metrics.train_loss?.toFixed(3)} ` +
      `val_loss=${outcome.metrics.val_loss?.toFixed(3)} exact_match=${metrics.exact_match?.toFixed(3)} chrf=${metrics.chrf?.toFixed(2)} ` +
      `chrf_pp=${metrics.chrf_pp?.toFixed(2)} eval_ms_per_example=${msPerExample.toFixed(2)}`,
  );
  for (const sample of final?.samples?.slice(0, 3) ?? []) {
    console.log(
      `  ${JSON.stringify(sample.prompt)} -> ${JSON.stringify(sample.generated)} (reference ${JSON.stringify(sample.reference)})`,
    );
  }
}

const { good, poor } = results as Record<"good" | "poor", (typeof results)[string]>;
console.log(
  `bench:tasks task=g2p exact_match_good=${good.exactMatch.toFixed(3)} exact_match_poor=${poor.exactMatch.toFixed(3)} ` +
    `chrf_good=${good.chrf.toFixed(2)} chrf_poor=${poor.chrf.toFixed(2)} eval_ms_per_example=${good.msPerExample.toFixed(2)}`,
);
