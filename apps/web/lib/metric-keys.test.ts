import { describe, expect, it } from "vitest";
import { curveMetrics, prefersLogScale } from "./metric-keys.ts";

describe("curve metrics", () => {
  it("offers the series trials write, validation loss first, accuracy only for classification", () => {
    expect(curveMetrics("language-modelling")).toEqual([
      "val_loss",
      "train_loss",
      "val_perplexity",
      "lr",
      "grad_norm",
      "tokens_per_s",
      "effective_batch_size",
      "noise_scale",
    ]);
    expect(curveMetrics("classification").slice(0, 3)).toEqual([
      "val_loss",
      "val_accuracy",
      "train_loss",
    ]);
  });

  it("draws rates, perplexity and gradient norms on a log axis", () => {
    expect(["lr", "val_perplexity", "grad_norm", "noise_scale"].every(prefersLogScale)).toBe(true);
    expect(prefersLogScale("val_loss")).toBe(false);
    expect(prefersLogScale("not_a_metric")).toBe(false);
  });
});
