/** Counts of one interval of load: sent, answered 2xx, failed (non-2xx or no answer), and the answered latencies. */
export interface LoadWindow {
  sent: number;
  ok: number;
  errors: number;
  dropped: number;
  latenciesMs: number[];
}

export const emptyWindow = (): LoadWindow => ({ sent: 0, ok: 0, errors: 0, dropped: 0, latenciesMs: [] });

/** The q-quantile (0..1) of a list of numbers (nearest rank); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface LoadGenerator {
  /** The counts since the last call (the live line's interval), starting a new window. */
  take(): LoadWindow;
  /** Stops sending and awaits the requests in flight. */
  stop(): Promise<void>;
}

/**
 * Sends GET `url` at `ratePerSec` (paced every 50 ms, fractions carried over) with at most `maxInFlight` requests open;
 * a request that would exceed it is dropped and counted, so a slow service does not pile up an unbounded backlog.
 */
export function startLoad(options: { url: string; ratePerSec: number; maxInFlight?: number; timeoutMs?: number }): LoadGenerator {
  const maxInFlight = options.maxInFlight ?? 64;
  let window = emptyWindow();
  let inFlight = new Set<Promise<void>>();
  let credit = 0;
  const send = (): void => {
    if (inFlight.size >= maxInFlight) {
      window.dropped += 1;
      return;
    }
    const started = performance.now();
    const counted = window;
    counted.sent += 1;
    const request: Promise<void> = fetch(options.url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) })
      .then(async (response) => {
        await response.arrayBuffer();
        const target = window;
        if (response.ok) {
          target.ok += 1;
          target.latenciesMs.push(performance.now() - started);
        } else {
          target.errors += 1;
        }
      })
      .catch(() => {
        window.errors += 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(() => {
    credit += options.ratePerSec * 0.05;
    while (credit >= 1) {
      credit -= 1;
      send();
    }
  }, 50);
  return {
    take: () => {
      const taken = window;
      window = emptyWindow();
      return taken;
    },
    stop: async () => {
      clearInterval(timer);
      const pending = [...inFlight];
      inFlight = new Set();
      await Promise.allSettled(pending);
    },
  };
}
