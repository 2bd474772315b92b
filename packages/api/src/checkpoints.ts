import type { Checkpoint } from "@attune/db";
import { TRPCError } from "@trpc/server";

/** The checkpoint with its bytes, which the API reads only from the database. */
export function checkpointWithBytes(
  checkpoint: Checkpoint,
  trialId: string,
): Checkpoint & { data: Buffer } {
  if (!checkpoint.data) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `the ${checkpoint.kind} checkpoint of trial ${trialId} is in external storage (${checkpoint.storageRef}), which the API does not read`,
    });
  }
  return { ...checkpoint, data: checkpoint.data };
}
