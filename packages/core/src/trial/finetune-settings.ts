/**
 * The fine-tuning settings (finetune, lora_*, freeze_trainable_blocks) and the plan they make, in
 * their own module beside settings-schema.ts, which spreads them into the trial settings. Free of
 * TensorFlow.js, as the schema is.
 */
import { z } from "zod";
import { type LoraTarget, loraTargets } from "../model/lora-config.ts";
import type { Finetune } from "../train/finetune.ts";
import type {} from "../tuning/field-meta.ts";

/**
 * The projections that get adapters, by name: a setting is one scalar, so that a search space can
 * list these as categorical choices (`lora_targets: [query+value, attention]`).
 */
export const targetSets = {
  "query+value": ["query", "value"],
  "query+key+value": ["query", "key", "value"],
  attention: ["query", "key", "value", "attentionOutput"],
  mlp: ["mlpGate", "mlpIn", "mlpOut"],
  all: loraTargets,
} as const satisfies Record<string, readonly LoraTarget[]>;
type TargetSet = keyof typeof targetSets;

const wholeNumber = z.number().int({ error: "must be a whole number" });

export const finetuneSettingFields = {
  finetune: z
    .enum(["full", "lora", "freeze"])
    .default("full")
    .describe(
      "Which weights train. full: all. lora: low-rank adapters on a frozen model (Hu et al. 2021), set by the lora_ settings. freeze: the last freeze_trainable_blocks blocks, the final norm and an untied or classification head.",
    )
    .meta({ label: "Fine-tuning", group: "finetune" }),
  lora_r: wholeNumber
    .min(1)
    .default(8)
    .describe("lora: the adapters' rank r.")
    .meta({ label: "LoRA rank", group: "finetune", examples: [16] }),
  lora_alpha: z
    .number()
    .positive()
    .default(8)
    .describe("lora: the adapters' update is scaled by lora_alpha / r (or / √r with lora_rslora).")
    .meta({ label: "LoRA alpha", group: "finetune", examples: [16] }),
  lora_dropout: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe("lora: dropout on the adapters' input while training.")
    .meta({ label: "LoRA dropout", group: "finetune", examples: [0.05] }),
  lora_targets: z
    .enum(Object.keys(targetSets) as TargetSet[])
    .default("query+value")
    .describe(
      "lora: the projections that get adapters. attention: query, key, value and attention_output; mlp: mlp_gate (SwiGLU models: Llama's gate_proj), mlp_in and mlp_out; all: both.",
    )
    .meta({ label: "LoRA targets", group: "finetune", examples: ["attention"] }),
  lora_rslora: z
    .boolean()
    .default(false)
    .describe("lora: scale by lora_alpha / √r (rank-stabilised LoRA, Kalajdzievski 2023).")
    .meta({ label: "rsLoRA scaling", group: "finetune" }),
  freeze_trainable_blocks: wholeNumber
    .min(0)
    .default(1)
    .describe("freeze: the blocks that train, counted from the last; 0 trains the head alone.")
    .meta({ label: "Trainable blocks", group: "finetune" }),
};

type FinetuneSettings = {
  [K in keyof typeof finetuneSettingFields]: z.output<(typeof finetuneSettingFields)[K]>;
};

/** What the settings ask the trainer to train; a problem, naming its setting, when it cannot be. */
export function finetunePlan(
  settings: FinetuneSettings,
  layers: number,
  problems: string[],
): Finetune {
  switch (settings.finetune) {
    case "full":
      return { mode: "full" };
    case "lora": {
      return {
        mode: "lora",
        lora: {
          rank: settings.lora_r,
          alpha: settings.lora_alpha,
          dropout: settings.lora_dropout,
          targets: targetSets[settings.lora_targets],
          rslora: settings.lora_rslora,
        },
      };
    }
    case "freeze":
      if (settings.freeze_trainable_blocks > layers) {
        problems.push(
          `freeze_trainable_blocks ${settings.freeze_trainable_blocks} exceeds the model's ${layers} layers`,
        );
      }
      return { mode: "freeze", trainableBlocks: settings.freeze_trainable_blocks };
  }
}
