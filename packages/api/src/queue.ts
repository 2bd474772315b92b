// The job queue the API enqueues strategy runs on: connected on first use, once per process, like
// the database pool (pg-boss keeps its state in the database, so any instance sees every job).
import { JobQueue } from "@attune/db";

let shared: Promise<JobQueue> | undefined;

export function getJobQueue(): Promise<JobQueue> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: the API cannot reach the job queue");
  // A failed connection is not kept, so that the next call tries again.
  shared ??= JobQueue.connect(url, "attune-api").catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
