/** One counter summed over the services that expose it, by one label. */
export interface CounterByLabel {
  readonly value: string;
  readonly count: number;
}

/** What reading the services' /metrics gave: the sums, and which endpoints did not answer (never their credentials). */
export interface CounterReading {
  readonly counts: readonly CounterByLabel[];
  readonly unreachable: number;
}

const TIMEOUT_MS = 2_000;
const MAX_BODY = 4 * 1024 * 1024;
/** How long a reading is reused: a page refreshing on every change does not hammer the services. */
const CACHE_MS = 5_000;

/**
 * Reads Prometheus counters from the services' /metrics endpoints (the refusals the allocator and the learner count
 * but publish on no topic): `name{...label="v"...} n` lines summed by that label over every endpoint. Each endpoint has
 * 2 s; one that fails is counted, not fatal. Readings are cached for 5 s.
 */
export class ServiceCounters {
  private readonly cache = new Map<string, { at: number; reading: Promise<CounterReading> }>();

  constructor(private readonly urls: readonly string[], private readonly now: () => number = Date.now) {}

  /** True when at least one endpoint is configured. */
  get configured(): boolean {
    return this.urls.length > 0;
  }

  /** `metric` (the Prometheus name, e.g. foresight_grants_refused_total) summed by `label`, largest first. */
  read(metric: string, label: string): Promise<CounterReading> {
    const key = `${metric}|${label}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.now() - cached.at < CACHE_MS) return cached.reading;
    const reading = this.fetchAll(metric, label);
    this.cache.set(key, { at: this.now(), reading });
    return reading;
  }

  private async fetchAll(metric: string, label: string): Promise<CounterReading> {
    const sums = new Map<string, number>();
    let unreachable = 0;
    await Promise.all(this.urls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'text/plain' } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const text = (await response.text()).slice(0, MAX_BODY);
        for (const [value, count] of parseCounter(text, metric, label)) sums.set(value, (sums.get(value) ?? 0) + count);
      } catch {
        unreachable++;
      }
    }));
    const counts = [...sums].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    return { counts, unreachable };
  }
}

/** The samples of `metric` in Prometheus text, by the value of `label` (samples without it are skipped). */
export function parseCounter(text: string, metric: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const match = /^[^{ ]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const value = Number(match[2]);
    const labelValue = new RegExp(`(?:^|,)${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(match[1] ?? '')?.[1];
    if (labelValue === undefined || !Number.isFinite(value)) continue;
    sums.set(labelValue, (sums.get(labelValue) ?? 0) + value);
  }
  return sums;
}
