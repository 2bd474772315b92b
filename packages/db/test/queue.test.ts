import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { JobQueue, readQueueHealth } from "../src/queue.ts";
import { useTestDatabase } from "../src/testing.ts";

const test = useTestDatabase();
const queues: JobQueue[] = [];

afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.stop()));
});

async function connect(name: string): Promise<JobQueue> {
  const queue = await JobQueue.connect(test.url, name);
  queues.push(queue);
  return queue;
}

describe("job queue", () => {
  it("is installed by the migrations", async () => {
    expect(await readQueueHealth(test.db)).toEqual({ reachable: true, queues: 2 });
  });

  it("never delivers a job whose transaction rolled back, and delivers each committed one exactly once to two competing workers", async () => {
    const producer = await connect("producer");
    await test.db.execute(sql`create table outbox (id text primary key)`);

    await expect(
      test.db.transaction(async (tx) => {
        await tx.execute(sql`insert into outbox values ('rolled-back')`);
        await producer.enqueue(tx, "trial", { trialId: "rolled-back" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");

    const committed = Array.from({ length: 30 }, (_, i) => `trial-${i}`);
    for (const trialId of committed) {
      await test.db.transaction(async (tx) => {
        await tx.execute(sql`insert into outbox values (${trialId})`);
        await producer.enqueue(tx, "trial", { trialId });
      });
    }

    const deliveries: { worker: string; trialId: string }[] = [];
    for (const worker of ["worker-a", "worker-b"]) {
      const queue = await connect(worker);
      await queue.work("trial", { concurrency: 2, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) deliveries.push({ worker, trialId: job.data.trialId });
        await new Promise((resolve) => setTimeout(resolve, 20));
      });
    }

    const deadline = Date.now() + 60_000;
    while (deliveries.length < committed.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Give a duplicate, were there one, time to show up.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const delivered = deliveries.map((d) => d.trialId).sort();
    expect(delivered).toEqual([...committed].sort());
    expect(delivered).not.toContain("rolled-back");
    const outbox = await test.db.execute<{ id: string }>(sql`select id from outbox`);
    expect(outbox.rows.map((row) => row.id)).not.toContain("rolled-back");
  });
});
