// Public entry point `@attune/core/eval`: the metrics that score generated text (instruction
// following, summarisation, translation, dialogue, classification by generated label), each
// matching its reference implementation, and their registry. Pure functions over strings that
// import nothing outside src/eval: no TensorFlow.js, no Node built-ins.
export {
  type BleuOptions,
  type BleuScore,
  type BleuSmoothing,
  type BleuStatistics,
  bleuFromStatistics,
  bleuStatistics,
  corpusBleu,
  sentenceBleu,
} from "./eval/bleu.ts";
export { type ChrfOptions, corpusChrf, sentenceChrf } from "./eval/chrf.ts";
export {
  type ClassificationScores,
  classificationScores,
  LabelMatcher,
  normalizeLabel,
} from "./eval/classification.ts";
export {
  type GenerationMetricDefinition,
  type GenerationMetricKey,
  type GenerationTask,
  generationMetrics,
  metricsForTask,
} from "./eval/metric-definitions.ts";
export { type RougeScore, rougeL, rougeN, rougeTokens } from "./eval/rouge.ts";
export {
  type ScoredGeneration,
  type ScoreOptions,
  scoreGenerations,
} from "./eval/score.ts";
export { answerTokens, exactMatch, normalizeAnswer, tokenF1 } from "./eval/squad.ts";
export { tokenize13a } from "./eval/tokenizer-13a.ts";
