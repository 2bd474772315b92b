// A PBT study trained by real runner processes through the queue, with one runner killed while
// the population waits at a round: the lost member resumes elsewhere from its last checkpoint, the
// round waits for it, and the bottom member then trains on from the top member's checkpoint with
// perturbed parameters. Then a replay of a schedule trains with its parameters at its steps.
import { getStudy, listRunners, listStudyLineage, listTrials, readMetrics } from "@attune/db";
import { useTestDatabase } from "@attune/db/testing";
import { describe, expect, it } from "vitest";
import {
  createRunningStudy,
  startRunner,
  tinyModel,
  trainingBudgetMs,
  until,
  useRunnerProcesses,
} from "./cluster.ts";

const test = useTestDatabase();
const runners = useRunnerProcesses();

const STEPS = 450;
const INTERVAL = 150;

async function metricAt(trialId: string, key: string, step: number) {
  return (await readMetrics(test.db, trialId, key)).find((point) => point.step === step)?.value;
}

describe("a PBT study on two runners", () => {
  it("runs its rounds, exploits the top member's checkpoint and survives a runner killed mid-round", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 30, schedule: "constant" },
      sampler: {
        kind: "pbt",
        population: 4,
        perturbationInterval: INTERVAL,
        resampleProbability: 0,
        mutations: ["lr"],
      },
      budget: { trials: 4, parallelTrials: 4, stepsPerTrial: STEPS },
    });
    for (const name of ["pbt-a", "pbt-b"]) runners.push(startRunner(test.url, name));

    // Mid-round: a member waits at the first round while another, past its checkpoint at step 40,
    // still trains towards it. Its runner dies.
    const victim = await until(
      async () => {
        const trials = await listTrials(test.db, study.id);
        if (!trials.some((trial) => trial.state === "paused")) return undefined;
        for (const trial of trials.filter((t) => t.state === "running")) {
          const trained = (await readMetrics(test.db, trial.id, "train_loss")).length;
          if (trained > 40 && trained < INTERVAL) return trial;
        }
        return undefined;
      },
      trainingBudgetMs,
      "a member training towards the round while another waits there",
    );
    const owner = (await listRunners(test.db)).find((runner) => runner.id === victim.runnerId);
    const killed = runners.find((runner) => runner.child.pid === owner?.pid);
    expect(killed).toBeDefined();
    killed?.child.kill("SIGKILL");

    await until(
      async () => {
        const current = await getStudy(test.db, study.id);
        if (current?.status === "failed") throw new Error(`the study failed: ${current.error}`);
        return current?.status === "completed" ? current : undefined;
      },
      trainingBudgetMs,
      "the PBT study completed after the kill",
    );
    const trials = await listTrials(test.db, study.id);
    expect(trials.map((trial) => [trial.state, trial.lastStep])).toEqual(
      trials.map(() => ["completed", STEPS]),
    );
    // The lost member was recovered once, by the other runner.
    const recovered = trials.find((trial) => trial.id === victim.id);
    expect(recovered?.attempts).toBe(2);
    expect(recovered?.runnerId).not.toBe(victim.runnerId);
    for (const trial of trials) {
      const steps = (await readMetrics(test.db, trial.id, "train_loss")).map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    }

    // Rounds at 150 and 300 (none at the last step), each copying one member of four.
    const lineage = await listStudyLineage(test.db, study.id);
    expect(lineage.map((row) => [row.trialNumber, row.step])).toEqual(
      [0, 1, 2, 3].flatMap((number) => [0, INTERVAL, 2 * INTERVAL].map((step) => [number, step])),
    );
    for (const step of [INTERVAL, 2 * INTERVAL]) {
      const round = lineage.filter((row) => row.step === step);
      const copies = round.filter((row) => row.copiedFromTrialNumber !== null);
      expect(copies).toHaveLength(1);
      const [copy] = copies;
      const source = round.find((row) => row.trialNumber === copy?.copiedFromTrialNumber);
      const values = round.map((row) => row.value as number);
      // The best member at the round was copied by the worst, at the round's step.
      expect(source?.value).toBe(Math.min(...values));
      expect(copy?.value).toBe(Math.max(...values));
      expect(copy?.copiedStep).toBe(step);
      const recipient = trials.find((trial) => trial.number === copy?.trialNumber);
      const donor = trials.find((trial) => trial.number === source?.trialNumber);
      // Weights, optimizer state, batches and dropout all came with the checkpoint: the first
      // step after the round sees the donor's weights on the donor's batch (its loss is measured
      // before the update) and trains at the donor's rate × 0.8 or × 1.2.
      expect(await metricAt(recipient?.id as string, "train_loss", step + 1)).toBe(
        await metricAt(donor?.id as string, "train_loss", step + 1),
      );
      const lr = await metricAt(recipient?.id as string, "lr", step + 1);
      expect(lr).toBe(copy?.params.lr);
      const ratio = (copy?.params.lr as number) / (source?.params.lr as number);
      expect([0.8, 1.2]).toContain(Number(ratio.toPrecision(12)));
    }
    // The best trial is the member with the lowest final loss, and its lineage is its schedule.
    const best = (await getStudy(test.db, study.id))?.bestTrialId;
    const finals = trials.map((trial) => trial.values?.[0] ?? Number.POSITIVE_INFINITY);
    expect(trials.find((trial) => trial.id === best)?.values?.[0]).toBe(Math.min(...finals));
  });

  it("replays a schedule in one trial, switching its parameters at the schedule's steps", async () => {
    const study = await createRunningStudy(test.db, {
      fixed: { ...tinyModel, eval_every: 30, schedule: "constant" },
      sampler: {
        kind: "pbt-replay",
        schedule: [
          { step: 0, params: { lr: 0.01 } },
          { step: 60, params: { lr: 0.004 } },
        ],
      },
      budget: { trials: 1, stepsPerTrial: 120 },
    });
    runners.push(startRunner(test.url, "replay"));
    await until(
      async () => ((await getStudy(test.db, study.id))?.status === "completed" ? true : undefined),
      trainingBudgetMs,
      "the replay study completed",
    );
    const [trial] = await listTrials(test.db, study.id);
    expect(trial).toMatchObject({ state: "completed", attempts: 1, params: { lr: 0.004 } });
    const rates = await readMetrics(test.db, trial?.id as string, "lr");
    expect(rates.map((point) => point.step)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(new Set(rates.filter((point) => point.step <= 60).map((p) => p.value))).toEqual(
      new Set([0.01]),
    );
    expect(new Set(rates.filter((point) => point.step > 60).map((p) => p.value))).toEqual(
      new Set([0.004]),
    );
    expect(
      (await listStudyLineage(test.db, study.id)).map((row) => [row.step, row.params]),
    ).toEqual([
      [0, { lr: 0.01 }],
      [60, { lr: 0.004 }],
    ]);
  });
});
