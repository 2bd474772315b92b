// A runner's shutdown, and the database going away under it.
import { connect, createServer, type Server, type Socket } from "node:net";
import { getCheckpoint, getStudy, listTrials, readMetrics } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import {
  createRunningStudy,
  directiveBudgetMs,
  startRunner,
  tinyModel,
  trainingBudgetMs,
  until,
  useRunnerProcesses,
} from "./cluster.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

const tiny = { ...tinyModel, eval_every: 500 };
const steps = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function trainedSteps(trialId: string): Promise<number[]> {
  return (await readMetrics(test.db, trialId, "train_loss")).map((point) => point.step);
}

async function completed(studyId: string) {
  return (await getStudy(test.db, studyId))?.status === "completed" ? true : undefined;
}

/** A TCP proxy in front of PostgreSQL that can cut every connection and refuse new ones. */
class Outage {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, "127.0.0.1", resolve));
  }

  async down(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe("runner faults", () => {
  it("on SIGTERM checkpoints its trial, gives it back and exits within seconds", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: tiny,
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 3_000 },
    });
    const first = startRunner(test.url, "terminated");
    runners.push(first);
    const trial = await until(
      async () => {
        const [running] = await listTrials(test.db, study.id, ["running"]);
        return running && (await trainedSteps(running.id)).length >= 50 ? running : undefined;
      },
      trainingBudgetMs,
      "the trial training",
    );
    const signalledAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(directiveBudgetMs);
    const [givenBack] = await listTrials(test.db, study.id);
    expect(givenBack).toMatchObject({ state: "queued", runnerId: null });
    expect((await getCheckpoint(test.db, trial.id, "last"))?.step).toBe(givenBack?.lastStep);

    runners.push(startRunner(test.url, "successor"));
    await until(() => completed(study.id), trainingBudgetMs, "study completed");
    expect((await listTrials(test.db, study.id))[0]).toMatchObject({
      state: "completed",
      attempts: 1,
    });
    expect(await trainedSteps(trial.id)).toEqual(steps(3_000));
  });

  it("waits for the database to come back and finishes its trial with every point once", async () => {
    const server = new URL(test.url);
    const proxyPort = 40_000 + Math.floor(Math.random() * 10_000);
    const outage = new Outage(proxyPort, { host: server.hostname, port: Number(server.port) });
    await outage.up();
    const viaProxy = new URL(test.url);
    viaProxy.port = String(proxyPort);
    const study = await createRunningStudy(test.db, {
      fixed: tiny,
      budget: { trials: 1, parallelTrials: 1, stepsPerTrial: 3_000 },
    });
    runners.push(startRunner(viaProxy.toString(), "through-proxy"));
    const trial = await until(
      async () => {
        const [running] = await listTrials(test.db, study.id, ["running"]);
        return running && (await trainedSteps(running.id)).length >= 50 ? running : undefined;
      },
      trainingBudgetMs,
      "the trial training",
    );

    await outage.down();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await outage.up();

    await until(() => completed(study.id), trainingBudgetMs, "study completed after the outage");
    expect((await listTrials(test.db, study.id))[0]).toMatchObject({
      state: "completed",
      attempts: 1,
    });
    expect(await trainedSteps(trial.id)).toEqual(steps(3_000));
    await outage.down();
  });
});
