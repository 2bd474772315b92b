// Writes a trial's metric points and checkpoints in order, in batches, surviving a database that
// goes away for a while: what could not be written is kept and retried, never dropped.

import type { GenerationSample } from "@attune/core/train";
import {
  type Database,
  type MetricPoint,
  type NewGenerationSample,
  saveCheckpoint,
  writeGenerationSamples,
  writeMetrics,
} from "@attune/db";
import { log } from "@attune/runtime/log";

const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000];

/** Runs `write` until it succeeds, waiting longer between tries, up to `giveUpAfterMs`. */
export async function persistently<T>(
  what: string,
  write: () => Promise<T>,
  giveUpAfterMs = 300_000,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (Date.now() - started > giveUpAfterMs) throw error;
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 5_000;
      log.warn("db.write.retry", {
        what,
        attempt,
        delayMs: delay,
        message: (error as Error).message,
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export class TrialWriter {
  private buffer: MetricPoint[] = [];
  private samples: NewGenerationSample[] = [];
  /** Every write goes through this chain, so a checkpoint is never stored before its metrics. */
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly trialId: string,
    flushEveryMs = 500,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
  }

  /** Points of one step, stamped now (when they were measured, not when a batch is written). */
  add(step: number, values: Record<string, number | undefined>) {
    const recordedAt = new Date();
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined && Number.isFinite(value)) {
        this.buffer.push({ trialId: this.trialId, key, step, value, recordedAt });
      }
    }
  }

  /** An evaluation's generated samples, in the order the evaluation gave them. */
  addSamples(step: number, samples: readonly GenerationSample[]) {
    samples.forEach(({ prompt, reference, generated }, position) => {
      this.samples.push({ trialId: this.trialId, step, position, prompt, reference, generated });
    });
  }

  /** Queues the buffered points for writing; resolves when they and everything before are stored. */
  flush(): Promise<void> {
    const points = this.buffer;
    const samples = this.samples;
    this.buffer = [];
    this.samples = [];
    if (points.length > 0) {
      this.chain = this.chain.then(() =>
        persistently(`metrics of trial ${this.trialId}`, () => writeMetrics(this.db, points)),
      );
    }
    if (samples.length > 0) {
      this.chain = this.chain.then(() =>
        persistently(`generated samples of trial ${this.trialId}`, () =>
          writeGenerationSamples(this.db, samples),
        ),
      );
    }
    return this.chain;
  }

  checkpoint(kind: "last" | "best", step: number, bytes: Uint8Array): Promise<void> {
    void this.flush();
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.chain = this.chain.then(async () => {
      await persistently(`${kind} checkpoint of trial ${this.trialId}`, () =>
        saveCheckpoint(this.db, {
          trialId: this.trialId,
          kind,
          step,
          data,
          sizeBytes: data.byteLength,
        }),
      );
    });
    return this.chain;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
