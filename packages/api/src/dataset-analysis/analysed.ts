// The API's way to analyse a dataset: off the request thread, content that does not parse a
// BAD_REQUEST.
import { DatasetError } from "@attune/core/data";
import { TRPCError } from "@trpc/server";
import type { AnalysisRequest, AnalysisResult, AnalysisTask } from "./analysis.ts";
import { analyseOffThread } from "./off-thread.ts";

/** The analysis, run off the request thread; content that does not parse is a BAD_REQUEST. */
export async function analysed<Task extends AnalysisTask>(
  request: AnalysisRequest<Task>,
): Promise<AnalysisResult<Task>> {
  try {
    return await analyseOffThread(request);
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `content: ${error.message}`,
        cause: error,
      });
    }
    throw error;
  }
}
