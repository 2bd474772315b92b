// Text from a trial's trained model, streamed token by token as it is sampled.

import { specOf } from "@attune/control";
import { chatRoles, modelChatTemplate, tokenizerFromJSON } from "@attune/core/data";
import { generate } from "@attune/core/model";
import { disposeWithBase, selectBackend } from "@attune/core/train";
import { conversationPromptTokens, restoreTrialCheckpoint } from "@attune/core/trial";
import {
  type Checkpoint,
  type CheckpointKind,
  type Executor,
  getCheckpoint,
  getStudy,
  getTrial,
  listCheckpoints,
} from "@attune/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { checkpointWithBytes } from "./checkpoints.ts";
import { trialId } from "./inputs.ts";
import { studyModelFiles } from "./trial-settings.ts";
import { teamProcedure } from "./trpc.ts";

/** The trial's best checkpoint, or its last when none was best yet: the one generation samples from. */
export function generationCheckpoint<T extends { kind: CheckpointKind }>(
  checkpoints: readonly T[],
): T | undefined {
  return (
    checkpoints.find((checkpoint) => checkpoint.kind === "best") ??
    checkpoints.find((checkpoint) => checkpoint.kind === "last")
  );
}

/** The checkpoint to generate from, which must hold its bytes. */
async function checkpointToGenerateFrom(
  db: Executor,
  trial: string,
): Promise<Checkpoint & { data: Buffer }> {
  const chosen = generationCheckpoint(await listCheckpoints(db, trial));
  const checkpoint = chosen && (await getCheckpoint(db, trial, chosen.kind));
  if (!checkpoint) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `trial ${trial} has no checkpoint yet; it saves one as it trains`,
    });
  }
  return checkpointWithBytes(checkpoint, trial);
}

export const generateText = teamProcedure(
  "viewer",
  z
    .strictObject({
      trialId,
      /** Text to continue; empty when `messages` is given. */
      prompt: z.string().max(2000).default(""),
      /**
       * A conversation whose next assistant turn to generate, rendered with the trial's chat
       * template as its evaluation prompts are (instruction and dialogue trials).
       */
      messages: z
        .array(
          z.strictObject({
            role: z.enum(chatRoles),
            content: z.string().min(1).max(2000),
          }),
        )
        .min(1)
        .max(50)
        .optional(),
      maxLength: z.number().int().min(1).max(500),
      /** 0 is greedy. */
      temperature: z.number().min(0).max(10),
      topK: z.number().int().min(1).max(100_000).optional(),
      topP: z.number().gt(0).max(1).optional(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .optional(),
    })
    .refine((input) => input.messages === undefined || input.prompt === "", {
      message: "give a prompt or messages, not both",
      path: ["prompt"],
    }),
).subscription(async function* ({ ctx, input: { trialId, ...options } }) {
  const checkpoint = await checkpointToGenerateFrom(ctx.db, trialId);
  await selectBackend();
  // The optimizer's slots come back too; generation only reads the model, but both hold tensors.
  // A plain copy: the driver's Buffer can share a pooled ArrayBuffer, and Buffer#slice (which
  // loadCheckpoint calls) does not copy, so the tensors would be read from the wrong bytes.
  const trial = await getTrial(ctx.db, trialId);
  const study = trial && (await getStudy(ctx.db, trial.studyId));
  if (!study) throw new Error(`trial ${trialId} has no study`);
  const { model, optimizer, tokenizer } = await restoreTrialCheckpoint(
    new Uint8Array(checkpoint.data),
    studyModelFiles(ctx.db, specOf(study), study.projectId),
  );
  try {
    if (!tokenizer) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `the ${checkpoint.kind} checkpoint of trial ${trialId} has no tokenizer to read the prompt with`,
      });
    }
    const reader = tokenizerFromJSON(tokenizer);
    const { messages, ...generation } = options;
    let prompt: string | number[];
    try {
      // Encoded once up front so that text the model cannot read is the caller's mistake, not ours.
      prompt =
        messages === undefined
          ? reader.encode(options.prompt)
          : // The template the trial rendered its examples with: its model's own, else the plain one.
            conversationPromptTokens(messages, reader, modelChatTemplate(reader));
    } catch (error) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `${messages === undefined ? "prompt" : "messages"}: ${(error as Error).message}`,
        cause: error,
      });
    }
    yield* generate(model, reader, { ...generation, prompt });
  } finally {
    // A LoRA or freeze model shares its base's weights, which the checkpoint rebuilt: all go.
    disposeWithBase(model);
    optimizer.dispose();
  }
});
