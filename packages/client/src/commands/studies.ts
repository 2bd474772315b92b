// `attune study`: what the web app's study pages do. Create a study from a spec, list and show
// them, start, pause, resume or cancel one, clone it, add trials, watch it, and fetch its best config.
import { readFile, writeFile } from "node:fs/promises";
import type { RouterOutputs } from "@attune/api";
import { connect, defineCommand, numberOption, required } from "../command.ts";
import type { AttuneClient } from "../index.ts";
import { duration, progressBar, StatusLine, table, timestamp } from "../output.ts";
import { pollUntil } from "../poll.ts";

type Study = RouterOutputs["studies"]["get"];

const FINISHED_TRIAL_STATES = ["completed", "pruned", "failed", "cancelled"] as const;
const FINISHED_STUDY_STATUSES = new Set(["completed", "cancelled", "failed"]);

/** The requests that move a study from one status to another; the server says from which. */
const STATUS_REQUESTS = ["start", "pause", "resume", "cancel"] as const;

const describeStudy = (study: Study) => `study ${study.name}: ${study.id} (${study.status})`;

const formatValues = (values: number[] | null) => values?.join(", ") ?? "-";

/** The study with its trial counts and best values, as the project's study list has them. */
async function studySummary(client: AttuneClient, studyId: string) {
  const study = await client.studies.get.query({ studyId });
  // studies.get has no counts; the project's list has them for every study.
  const summaries = await client.studies.list.query({ projectId: study.projectId });
  const summary = summaries.find((candidate) => candidate.id === studyId);
  if (!summary) throw new Error(`study ${studyId} is not in its project's list; was it deleted?`);
  return summary;
}

export const studyCommands = [
  defineCommand({
    name: "study create",
    args: [],
    options: {
      file: { type: "string", short: "f" },
      project: { type: "string" },
      start: { type: "boolean", default: false },
    },
    usage: "-f <spec.yaml> --project <id> [--start]",
    async run({ options, output }) {
      const spec = await readFile(required(options.file, "-f <spec file>"), "utf8");
      const projectId = required(options.project, "--project");
      const client = await connect();
      const created = await client.studies.create.mutate({ projectId, spec });
      const study = options.start
        ? await client.studies.start.mutate({ studyId: created.id })
        : created;
      output.emit(study, describeStudy);
    },
  }),

  defineCommand({
    name: "study list",
    args: [],
    options: { project: { type: "string" } },
    usage: "--project <id>",
    async run({ options, output }) {
      const projectId = required(options.project, "--project");
      const client = await connect();
      const studies = await client.studies.list.query({ projectId });
      output.emit(studies, (rows) =>
        rows.length === 0
          ? `project ${projectId} has no studies yet`
          : table([
              ["ID", "NAME", "STATUS", "COMPLETED", "RUNNING", "BEST", "CREATED"],
              ...rows.map((study) => [
                study.id,
                study.name,
                study.status,
                `${study.trialCounts.completed}/${study.spec.budget.trials}`,
                String(study.trialCounts.running),
                formatValues(study.bestValues),
                timestamp(study.createdAt),
              ]),
            ]),
      );
    },
  }),

  defineCommand({
    name: "study show",
    args: ["study id"],
    options: {},
    async run({ args: [studyId], output }) {
      const summary = await studySummary(await connect(), studyId);
      output.emit(summary, (study) => {
        const spec = study.spec;
        const { total, running, completed } = study.trialCounts;
        return table([
          ["study", `${study.name} (${study.id})`],
          ["status", study.error ? `${study.status}: ${study.error}` : study.status],
          ["project", study.projectId],
          ["dataset", spec.dataset],
          [
            "objectives",
            spec.objectives
              .map((objective) => `${objective.direction} ${objective.metric}`)
              .join(", "),
          ],
          [
            "trials",
            `${completed} completed, ${running} running, ${total} created of a budget of ${spec.budget.trials}`,
          ],
          ["best", formatValues(study.bestValues)],
          ["seed", String(study.seed)],
          ["created", timestamp(study.createdAt)],
          ["started", timestamp(study.startedAt)],
          ["finished", timestamp(study.finishedAt)],
        ]);
      });
    },
  }),

  ...STATUS_REQUESTS.map((request) =>
    defineCommand({
      name: `study ${request}`,
      args: ["study id"],
      options: {},
      async run({ args: [studyId], output }) {
        const client = await connect();
        output.emit(await client.studies[request].mutate({ studyId }), describeStudy);
      },
    }),
  ),

  defineCommand({
    name: "study clone",
    args: ["study id"],
    options: { name: { type: "string" }, seed: { type: "string" } },
    usage: "[--name <name>] [--seed <seed>]",
    async run({ args: [studyId], options, output }) {
      const seed = numberOption(options.seed, "--seed");
      const client = await connect();
      // As the web app names a copy; names are unique within a project.
      const name = options.name ?? `${(await client.studies.get.query({ studyId })).name} (copy)`;
      const clone = await client.studies.clone.mutate({ studyId, name, seed });
      output.emit(clone, describeStudy);
    },
  }),

  defineCommand({
    name: "study append",
    args: ["study id"],
    options: { trials: { type: "string" } },
    usage: "--trials <n>",
    async run({ args: [studyId], options, output }) {
      const count = numberOption(required(options.trials, "--trials <n>"), "--trials");
      const client = await connect();
      const study = await client.studies.appendTrials.mutate({ studyId, count });
      output.emit(study, (s) => `${describeStudy(s)}: budget now ${s.spec.budget.trials} trials`);
    },
  }),

  defineCommand({
    name: "study watch",
    args: ["study id"],
    options: { interval: { type: "string", default: "5" } },
    usage: "[--interval <seconds>]",
    async run({ args: [studyId], options, output }) {
      const interval = numberOption(options.interval, "--interval");
      const client = await connect();
      const began = Date.now();
      let doneAtStart: number | undefined;
      const line = new StatusLine(process.stdout);
      await pollUntil(
        async () => {
          const study = await client.studies.get.query({ studyId });
          const { total: done } = await client.trials.list.query({
            studyId,
            states: [...FINISHED_TRIAL_STATES],
            limit: 1,
          });
          const best = study.bestTrialId
            ? ((await client.trials.get.query({ trialId: study.bestTrialId })).values?.[0] ?? null)
            : null;
          doneAtStart ??= done;
          // The rate is measured over this watch only: trials finished before it say nothing of now.
          const rate = (done - doneAtStart) / ((Date.now() - began) / 1000);
          const budget = study.spec.budget.trials;
          const etaSeconds = rate > 0 ? (budget - done) / rate : null;
          return { status: study.status, done, budget, best, etaSeconds };
        },
        (progress) => FINISHED_STUDY_STATUSES.has(progress.status),
        (progress) => {
          if (output.json) return console.log(JSON.stringify(progress));
          const { status, done, budget, best, etaSeconds } = progress;
          const eta = etaSeconds === null ? "-" : duration(etaSeconds);
          line.update(
            `${progressBar(done, budget)} ${done}/${budget} trials  best ${best ?? "-"}  ETA ${eta}  ${status}`,
          );
        },
        interval,
      );
      if (!output.json) line.end();
    },
  }),

  defineCommand({
    name: "study best",
    args: ["study id"],
    options: { output: { type: "string", short: "o" } },
    usage: "[-o <file>]",
    async run({ args: [studyId], options, output }) {
      const client = await connect();
      const best = await client.studies.exportBest.query({ studyId });
      if (options.output) {
        await writeFile(options.output, `${JSON.stringify(best.config, null, 2)}\n`);
        output.emit(
          { ...best, savedTo: options.output },
          (b) => `best config (trial ${b.trialNumber}) saved in ${b.savedTo}`,
        );
        return;
      }
      output.emit(best, (b) => JSON.stringify(b.config, null, 2));
    },
  }),
];
