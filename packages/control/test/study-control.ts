// What the study-control tests share: a test database, a job queue, and a live runner with slots
// to spare, so that a study's own parallelism bounds what it queues, not its share of the runners.
import { heartbeatRunner, JobQueue, registerRunner } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { afterAll, beforeAll, beforeEach } from "vitest";

export function useStudyControl(queueName: string) {
  const test = useTestDatabase();
  let queue: JobQueue | undefined;
  let runnerId: string;
  beforeAll(async () => {
    queue = await JobQueue.connect(test.url, queueName);
    const runner = await registerRunner(test.db, {
      name: "many-slots",
      host: "test",
      pid: 1,
      backend: "wasm",
      device: "cpu",
      cores: 1,
      capacity: 1_000,
    });
    runnerId = runner.id;
  });
  beforeEach(async () => {
    await heartbeatRunner(test.db, runnerId);
  });
  afterAll(async () => {
    await queue?.stop();
  });
  return {
    test,
    get queue(): JobQueue {
      if (!queue) throw new Error("the queue is only there inside tests and hooks");
      return queue;
    },
  };
}
