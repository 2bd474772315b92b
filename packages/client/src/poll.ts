// Waiting on the server: the CLI's client makes plain requests (no subscriptions), so a command that
// waits reads again every few seconds.
import { setTimeout as sleep } from "node:timers/promises";

/** Reads until `finished` says so, showing each reading; returns the last. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  finished: (reading: T) => boolean,
  show: (reading: T) => void,
  intervalSeconds: number,
): Promise<T> {
  for (;;) {
    const reading = await read();
    show(reading);
    if (finished(reading)) return reading;
    await sleep(intervalSeconds * 1000);
  }
}
