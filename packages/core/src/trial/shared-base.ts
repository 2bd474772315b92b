/**
 * A pretrained base's weights that one thread keeps between its trials. Building a base (reading
 * its safetensors, filling a tensor per weight) is most of a fine-tuning trial's start, and a LoRA
 * or freeze trial never changes its base's frozen weights: the next such trial of the same model
 * (by content hash) starts from the kept base instead of building its own.
 *
 * Tensors belong to the thread that made them: TensorFlow.js keeps them in its engine and its
 * backend's memory (the wasm heap, which the native kernels read, is one plain ArrayBuffer per
 * thread), so threads cannot share them, and each keeps its own. A thread keeps one base at most, so
 * it holds one model's weights beside the trial's own.
 */
import { freezeVariables, type WeightTree, weightVariables } from "../model/frozen-weights.ts";
import { disposeGPT, type GPT } from "../model/gpt.ts";
import { type Finetune, withOwnTrainedWeights } from "../train/finetune.ts";

/** The weights a trial starts from, and the kept base among them that it must not change or dispose. */
export interface TrialBase {
  model: GPT;
  shared?: GPT;
}

export class BaseCache {
  private kept: { contentHash: string; model: GPT } | undefined;

  /**
   * The base of `contentHash` for a trial that fine-tunes it with `finetune`, built by `load` unless
   * kept. LoRA and freeze share the kept base (frozen), freeze with copies of its own of the blocks
   * it trains. Full fine-tuning trains every weight: it takes the kept base over (no longer kept) or
   * builds its own, and disposes it.
   */
  start(contentHash: string, finetune: Finetune, load: () => GPT): TrialBase {
    const kept = this.kept?.contentHash === contentHash ? this.kept.model : undefined;
    if (finetune.mode === "full") {
      if (kept === undefined) {
        this.dispose();
        return { model: load() };
      }
      this.kept = undefined;
      for (const [, variable] of weightVariables(kept.weights as unknown as WeightTree)) {
        variable.trainable = true;
      }
      return { model: kept };
    }
    const shared = kept ?? this.keep(contentHash, load);
    return { model: withOwnTrainedWeights(shared, finetune), shared };
  }

  /** Whether the thread keeps the weights of the model of `contentHash`. */
  holds(contentHash: string): boolean {
    return this.kept?.contentHash === contentHash;
  }

  /** Frees the kept base. */
  dispose() {
    if (this.kept !== undefined) disposeGPT(this.kept.model);
    this.kept = undefined;
  }

  private keep(contentHash: string, load: () => GPT): GPT {
    this.dispose();
    const model = load();
    freezeVariables(model.weights as unknown as WeightTree);
    this.kept = { contentHash, model };
    return model;
  }
}
