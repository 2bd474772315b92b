// Subscriptions outlive the access check made when they open: a member removed from the team, or
// an API key revoked, must stop receiving within seconds, not when the stream happens to end.
import { setTimeout as sleep } from "node:timers/promises";
import { log } from "@attune/runtime/log";

/** How often an open stream checks again that its caller may still read it. */
export const ACCESS_RECHECK_MS = 2000;

/**
 * The stream's items for as long as `recheck`, run every ACCESS_RECHECK_MS, passes. The first
 * check that fails ends the stream with its error, which tRPC sends the client as the stream's
 * error event. `closing` is aborted whenever the stream ends (access lost, the client gone, or
 * done), so that a resolver waiting on it stops instead of polling on for no one.
 */
export async function* endWhenAccessEnds(
  stream: unknown,
  recheck: () => Promise<void>,
  closing: AbortController,
): AsyncGenerator<unknown> {
  if (!isAsyncIterable(stream)) {
    throw new Error("a team procedure's subscription must return an async iterable");
  }
  const iterator = stream[Symbol.asyncIterator]();
  void recheckUntilClosed(recheck, closing);
  try {
    while (true) {
      const next = await nextUnlessClosed(iterator, closing.signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    closing.abort();
    // The resolver's own cleanup (freeing a model) is done by the time the stream reports its end;
    // one in the middle of a step (a token, a poll cut short by the abort) finishes that first.
    await iterator.return?.().catch((error: unknown) => {
      log.error("api.stream.cleanup-failed", { message: (error as Error).message });
    });
  }
}

/** Runs `recheck` every ACCESS_RECHECK_MS until closing; a failure closes with its error. */
async function recheckUntilClosed(recheck: () => Promise<void>, closing: AbortController) {
  try {
    while (true) {
      await sleep(ACCESS_RECHECK_MS, undefined, { signal: closing.signal });
      await recheck();
    }
  } catch (error) {
    // Already closed: the stream ended first, and the abort ended the wait.
    if (closing.signal.aborted) return;
    log.info("api.stream.access-ended", { message: (error as Error).message });
    closing.abort(error);
  }
}

/**
 * The iterator's next item, or the closing reason as soon as it closes. A listener per step,
 * removed after it, rather than racing one long-lived promise that would keep a reaction per item.
 */
function nextUnlessClosed(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal,
): Promise<IteratorResult<unknown>> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(signal.reason);
    if (signal.aborted) return onClose();
    signal.addEventListener("abort", onClose, { once: true });
    iterator
      .next()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onClose));
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function"
  );
}
