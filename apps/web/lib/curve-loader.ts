// Curves of many trials, asked for one trial at a time (so each trial's curve is cached, and
// refreshed, on its own) but fetched together: requests made in the same tick are gathered into
// calls of at most `batchSize` trials each (trials.curves takes at most 100).
import type { CurvePoint } from "./curves.ts";

export interface CurveSeries {
  trialId: string;
  key: string;
  points: CurvePoint[];
}

/** One call of trials.curves: the series of `key` for `trialIds`. */
export type FetchCurves = (key: string, trialIds: string[]) => Promise<CurveSeries[]>;

interface Waiting {
  resolve: (points: CurvePoint[]) => void;
  reject: (error: unknown) => void;
}

export interface CurveLoader {
  /** The trial's series of `key` (empty when it has none yet). */
  load(key: string, trialId: string): Promise<CurvePoint[]>;
}

export function createCurveLoader(fetchCurves: FetchCurves, batchSize = 100): CurveLoader {
  // key -> trial id -> everyone waiting for that series.
  let pending = new Map<string, Map<string, Waiting[]>>();
  let scheduled = false;

  function flush() {
    scheduled = false;
    const batch = pending;
    pending = new Map();
    for (const [key, byTrial] of batch) {
      const ids = [...byTrial.keys()];
      for (let start = 0; start < ids.length; start += batchSize) {
        const chunk = ids.slice(start, start + batchSize);
        fetchCurves(key, chunk).then(
          (series) => {
            const found = new Map(
              series.filter((entry) => entry.key === key).map((entry) => [entry.trialId, entry]),
            );
            for (const id of chunk) {
              const points = found.get(id)?.points ?? [];
              for (const waiting of byTrial.get(id) ?? []) waiting.resolve(points);
            }
          },
          (error: unknown) => {
            for (const id of chunk)
              for (const waiting of byTrial.get(id) ?? []) waiting.reject(error);
          },
        );
      }
    }
  }

  return {
    load(key, trialId) {
      return new Promise((resolve, reject) => {
        let byTrial = pending.get(key);
        if (!byTrial) {
          byTrial = new Map();
          pending.set(key, byTrial);
        }
        const list = byTrial.get(trialId) ?? [];
        list.push({ resolve, reject });
        byTrial.set(trialId, list);
        if (!scheduled) {
          scheduled = true;
          // A macrotask, so that every query React Query starts in one render joins the batch.
          setTimeout(flush, 0);
        }
      });
    },
  };
}
