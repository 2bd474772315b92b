// The study models' files a runner holds in memory: read from the database once per content (a
// model's content hash) and handed to every trial that starts from them, in shared memory
// (SharedArrayBuffer), which postMessage shares with a worker thread instead of copying it. Bounded
// by bytes: the least recently used models that no running trial holds go first.
import type { ModelFiles } from "@attune/core/model";
import { type Database, type Model, readModelFiles } from "@attune/db";
import { log } from "@attune/runtime/log";

interface Entry {
  files: Promise<ModelFiles>;
  sizeBytes: number;
  /** Trials holding it now: it stays while any does, whatever the bound. */
  users: number;
}

export interface HeldModelFiles {
  files: ModelFiles;
  contentHash: string;
  /** Called once when the trial no longer needs them. */
  release: () => void;
}

export class ModelFilesCache {
  /** By content hash, least recently used first. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Database,
    private readonly capacityBytes: number,
  ) {}

  /** The model's files, read from the database unless held already. */
  async acquire(model: Model): Promise<HeldModelFiles> {
    const key = model.contentHash;
    const entry = this.entries.get(key) ?? {
      files: this.read(model),
      sizeBytes: model.sizeBytes,
      users: 0,
    };
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.users += 1;
    this.evict();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.users -= 1;
      this.evict();
    };
    try {
      return { files: await entry.files, contentHash: key, release };
    } catch (error) {
      // A failed read is not kept: the next trial reads again.
      if (this.entries.get(key) === entry) this.entries.delete(key);
      release();
      throw error;
    }
  }

  /** Bytes held now. */
  get sizeBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.sizeBytes;
    return total;
  }

  private async read(model: Model): Promise<ModelFiles> {
    const started = performance.now();
    const files = await readModelFiles(this.db, model.id, {
      allocate: (sizeBytes) => new Uint8Array(new SharedArrayBuffer(sizeBytes)),
    });
    log.info("model.read", {
      modelId: model.id,
      contentHash: model.contentHash,
      sizeBytes: model.sizeBytes,
      ms: Math.round(performance.now() - started),
    });
    return files;
  }

  private evict() {
    let total = this.sizeBytes;
    for (const [key, entry] of this.entries) {
      if (total <= this.capacityBytes) return;
      if (entry.users > 0) continue;
      this.entries.delete(key);
      total -= entry.sizeBytes;
      log.info("model.evicted", { contentHash: key, sizeBytes: entry.sizeBytes });
    }
  }
}
