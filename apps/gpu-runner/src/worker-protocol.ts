// The messages between the runner and a trial's worker thread, typed once for both sides.
import type { TextDataset } from "@attune/core/data";
import type { ModelFiles } from "@attune/core/model";
import type { TrialMetrics } from "@attune/core/spec";
import type { EvalReport, StepReport } from "@attune/core/train";
import type {
  StrategyRequest,
  StrategyResult,
  TrialOutcome,
  TrialRunOptions,
} from "@attune/core/trial";

/** What a worker needs to train one trial (everything but the callbacks, which become messages). */
export type TrialWork = Pick<
  TrialRunOptions,
  "task" | "settings" | "budget" | "seed" | "checkpointEvery" | "objective"
> & {
  /** Text, or instruction data for instruction and dialogue trials. */
  dataset: TrialRunOptions["dataset"];
  resumeFrom?: Uint8Array;
  /**
   * The study's model: its files in shared memory (the runner's, not copied), and its content
   * hash, under which the thread keeps its weights for the next trial of the same model.
   */
  baseModel?: { files: ModelFiles; contentHash: string };
};

export type ToRunner =
  /** The validation data's frequency baseline, before the first step. */
  | { type: "baseline"; metrics: TrialMetrics }
  | { type: "step"; report: StepReport }
  /** The worker waits for a "verdict" with the same id before the next step. */
  | { type: "eval"; id: number; report: EvalReport }
  | { type: "checkpoint"; kind: "last" | "best"; step: number; bytes: Uint8Array }
  | { type: "done"; outcome: TrialOutcome }
  | { type: "failed"; message: string; configError: boolean };

export type ToWorker =
  | { type: "train"; work: TrialWork }
  | { type: "stop" }
  | { type: "verdict"; id: number; stop: boolean };

/** What a worker needs to run one strategy. */
export interface StrategyWork {
  request: StrategyRequest;
  dataset: TextDataset;
  /** The files of the model the request names, when it names one. */
  baseModel?: ModelFiles;
}

export type StrategyToRunner =
  | { type: "done"; result: StrategyResult }
  /** Stopped when asked to, before it had a result. */
  | { type: "stopped" }
  | { type: "failed"; message: string };

export type ToStrategyWorker = { type: "stop" };
