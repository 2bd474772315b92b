// Asking /api/health one request after another while something else runs: how long the web process
// kept a load balancer's check waiting meanwhile.

export interface Probed<T> {
  result: T;
  /** How long `work` took. */
  workMs: number;
  /** Each health check answered while `work` ran, in the order sent. */
  latenciesMs: number[];
}

export async function probeHealthDuring<T>(
  baseURL: string,
  work: () => Promise<T>,
): Promise<Probed<T>> {
  const latenciesMs: number[] = [];
  let working = true;
  const probing = (async () => {
    while (working) {
      const sent = performance.now();
      const response = await fetch(`${baseURL}/api/health`);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`/api/health answered ${response.status}`);
      latenciesMs.push(performance.now() - sent);
    }
  })();
  const started = performance.now();
  try {
    const result = await work();
    return { result, workMs: performance.now() - started, latenciesMs };
  } finally {
    working = false;
    await probing;
  }
}

/** A request body of `mebibytes` MiB of spaces, streamed chunk by chunk without a length. */
export function chunkedBody(mebibytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1 << 20).fill(32);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === mebibytes) return controller.close();
      sent += 1;
      controller.enqueue(chunk);
    },
  });
}
