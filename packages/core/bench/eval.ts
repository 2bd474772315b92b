// npm run bench:eval — how long each generation metric takes to score 200 examples: passages of
// Moby Dick of 30 to 120 words as references, each prediction the passage with about a fifth of its
// words dropped or swapped. Prints the median of 7 runs per metric, in wall-clock and CPU time
// (the CPU time tells more on a busy machine).
import { performance } from "node:perf_hooks";
import { loadCorpus } from "../src/data/corpora.ts";
import {
  type GenerationMetricKey,
  generationMetrics,
  metricsForTask,
} from "../src/eval/metric-definitions.ts";
import { type ScoredGeneration, scoreGenerations } from "../src/eval/score.ts";
import { Random } from "../src/random.ts";

const EXAMPLES = 200;
const RUNS = 7;

const corpus = await loadCorpus("moby-dick");
const words = (corpus.samples[0]?.text ?? "").split(/\s+/).filter(Boolean);
const random = new Random(0);

function passage(): string[] {
  const length = random.int(30, 120);
  const start = random.int(0, words.length - length);
  return words.slice(start, start + length);
}

const examples: ScoredGeneration[] = Array.from({ length: EXAMPLES }, () => {
  const reference = passage();
  const prediction = reference.flatMap((word) => {
    const draw = random.next();
    if (draw < 0.1) return [];
    if (draw < 0.2) return [words[random.int(0, words.length - 1)] ?? word];
    return [word];
  });
  return { prediction: prediction.join(" "), references: [reference.join(" ")] };
});
const labels = ["spam", "ham", "not spam"];
const classified: ScoredGeneration[] = Array.from({ length: EXAMPLES }, (_, i) => ({
  prediction: `${labels[random.int(0, 2)]}. Because the message ${words.slice(i, i + 20).join(" ")}`,
  references: [labels[i % 3] as string],
}));

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? 0;
const classifiers: string[] = metricsForTask("classification");
const medians: string[] = [];
for (const key of Object.keys(generationMetrics) as GenerationMetricKey[]) {
  const set = classifiers.includes(key) ? classified : examples;
  const wall: number[] = [];
  const cpu: number[] = [];
  let score = 0;
  for (let run = 0; run < RUNS; run++) {
    const [start, startCpu] = [performance.now(), process.cpuUsage()];
    score = scoreGenerations(key, set);
    const usage = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((usage.user + usage.system) / 1000);
  }
  const [wallMs, cpuMs] = [median(wall), median(cpu)];
  console.log(
    `${key.padEnd(12)} score=${score.toFixed(4).padStart(9)}  ms=${wallMs.toFixed(1)}  cpu_ms=${cpuMs.toFixed(1)}`,
  );
  medians.push(`${key}_cpu_ms=${cpuMs.toFixed(1)}`);
}
console.log(`bench:eval examples=${EXAMPLES} ${medians.join(" ")}`);
