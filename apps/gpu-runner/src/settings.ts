import { availableParallelism, hostname, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { backendNames } from "@attune/core/train";
import { z } from "zod";

const schema = z.object({
  name: z.string().min(1).max(100),
  concurrency: z.coerce.number().int().min(1).max(256),
  backend: z.enum(["auto", ...backendNames]),
  checkpointInterval: z.coerce.number().int().min(1),
  modelCacheMb: z.coerce.number().int().min(0),
  heartbeatIntervalMs: z.coerce.number().int().min(100).max(60_000),
  controlIntervalMs: z.coerce.number().int().min(50).max(60_000),
  logLevel: z.enum(["debug", "info", "warn", "error"]),
});

export type RunnerSettings = z.infer<typeof schema>;

const usage = `Usage: attune-runner [options]   (each option also reads from the environment variable shown)
  --name NAME                 runner name               ATTUNE_RUNNER_NAME   (default: host name and pid)
  --concurrency N             trials trained at once    ATTUNE_RUNNER_CONCURRENCY (default: number of cores)
  --backend auto|tensorflow-gpu|tensorflow|native|wasm|cpu  ATTUNE_TF_BACKEND (default: auto, the first that loads)
  --checkpoint-interval N     steps between checkpoints ATTUNE_CHECKPOINT_INTERVAL (default: 200)
  --model-cache-mb N          study models' files kept in memory between trials, at most
                              ATTUNE_MODEL_CACHE_MB (default: a quarter of the machine's memory)
  --heartbeat-interval MS     heartbeat period          ATTUNE_HEARTBEAT_INTERVAL_MS (default: 5000)
  --control-interval MS       study control period      ATTUNE_CONTROL_INTERVAL_MS (default: 1000)
  --log-level LEVEL           debug|info|warn|error     ATTUNE_LOG_LEVEL (default: info)
The database is DATABASE_URL, or the project's embedded PostgreSQL when it is unset.`;

/** Flags win over environment variables, which win over defaults. Throws with usage on bad input. */
export function readSettings(argv: string[], env: NodeJS.ProcessEnv): RunnerSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: "string" },
      concurrency: { type: "string" },
      backend: { type: "string" },
      "checkpoint-interval": { type: "string" },
      "model-cache-mb": { type: "string" },
      "heartbeat-interval": { type: "string" },
      "control-interval": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) throw new SettingsError(usage);
  const parsed = schema.safeParse({
    name: values.name ?? env.ATTUNE_RUNNER_NAME ?? `${hostname()}-${process.pid}`,
    concurrency: values.concurrency ?? env.ATTUNE_RUNNER_CONCURRENCY ?? availableParallelism(),
    backend: values.backend ?? env.ATTUNE_TF_BACKEND ?? "auto",
    checkpointInterval: values["checkpoint-interval"] ?? env.ATTUNE_CHECKPOINT_INTERVAL ?? 200,
    modelCacheMb:
      values["model-cache-mb"] ?? env.ATTUNE_MODEL_CACHE_MB ?? Math.floor(totalmem() / 4 / 2 ** 20),
    heartbeatIntervalMs: values["heartbeat-interval"] ?? env.ATTUNE_HEARTBEAT_INTERVAL_MS ?? 5_000,
    controlIntervalMs: values["control-interval"] ?? env.ATTUNE_CONTROL_INTERVAL_MS ?? 1_000,
    logLevel: values["log-level"] ?? env.ATTUNE_LOG_LEVEL ?? "info",
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new SettingsError(`Invalid runner settings: ${problems.join("; ")}\n\n${usage}`);
  }
  return parsed.data;
}

export class SettingsError extends Error {
  override name = "SettingsError";
}
