// Which trial the pointer is on, shared by the curves chart and the trial table without
// re-rendering the page: components subscribe, and a row re-renders only when it gains or loses
// the highlight.

export interface HighlightStore {
  get(): string | null;
  set(trialId: string | null): void;
  subscribe(listener: () => void): () => void;
}

export function createHighlightStore(): HighlightStore {
  let current: string | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(trialId) {
      if (trialId === current) return;
      current = trialId;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
