/** What a shop service does wrong on purpose: added latency, a share of failed requests, CPU burnt per request. */
export interface Fault {
  /** Milliseconds added to every request before it is answered. */
  readonly latencyMs: number;
  /** Share of requests answered 500 (span status ERROR), 0..1. */
  readonly errorRate: number;
  /** Milliseconds of busy CPU per request (blocks the event loop, as a hot loop in a real service would). */
  readonly cpuBurnMs: number;
}

export const NO_FAULT: Fault = Object.freeze({ latencyMs: 0, errorRate: 0, cpuBurnMs: 0 });

/** What one request suffers under the current fault. */
export interface FaultEffect {
  readonly delayMs: number;
  readonly fail: boolean;
  readonly burnMs: number;
}

/** A fault the admin endpoint refused, with the field and why. */
export class FaultError extends Error {
  readonly code = 'DEMO_FAULT_INVALID';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FaultError';
  }
}

const LIMITS: Readonly<Record<keyof Fault, number>> = { latencyMs: 60_000, errorRate: 1, cpuBurnMs: 5_000 };

/**
 * Reads a fault from a JSON body (`{"latencyMs": 300}`, `{"errorRate": 0.5}`, `{"cpuBurnMs": 20}`, any mix); a missing
 * field is 0. Refuses anything else: unknown fields, negatives, non-numbers, values over the limits.
 */
export function parseFault(body: unknown): Fault {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FaultError('body', 'expected a JSON object');
  const fault: Record<string, number> = { ...NO_FAULT };
  for (const [key, value] of Object.entries(body)) {
    if (!(key in LIMITS)) throw new FaultError(key, `unknown field (expected ${Object.keys(LIMITS).join(', ')})`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new FaultError(key, `expected a number >= 0, got ${JSON.stringify(value)}`);
    const limit = LIMITS[key as keyof Fault];
    if (value > limit) throw new FaultError(key, `at most ${limit}, got ${value}`);
    fault[key] = value;
  }
  return Object.freeze(fault as unknown as Fault);
}

/** The fault switch of one service: set, cleared and read by its admin endpoint, applied to each request. */
export class FaultSwitch {
  private fault: Fault = NO_FAULT;

  /** `random` draws in [0, 1) (Math.random in the service, a seeded one in tests). */
  constructor(private readonly random: () => number = Math.random) {}

  get current(): Fault {
    return this.fault;
  }

  set(fault: Fault): void {
    this.fault = fault;
  }

  clear(): void {
    this.fault = NO_FAULT;
  }

  /** Whether a fault is on. */
  get active(): boolean {
    return this.fault.latencyMs > 0 || this.fault.errorRate > 0 || this.fault.cpuBurnMs > 0;
  }

  /** What the next request suffers: the latency and CPU burn always, a failure with probability errorRate. */
  next(): FaultEffect {
    const { latencyMs, errorRate, cpuBurnMs } = this.fault;
    return { delayMs: latencyMs, burnMs: cpuBurnMs, fail: errorRate > 0 && this.random() < errorRate };
  }
}

/** Keeps the CPU busy for `ms` milliseconds (the CPU-burn fault). */
export function burnCpu(ms: number, clock: () => number = () => performance.now()): void {
  if (ms <= 0) return;
  const until = clock() + ms;
  let x = 0;
  while (clock() < until) x = (x * 31 + 7) % 1_000_003;
  if (x < 0) throw new Error('unreachable');
}

/** One-line description of a fault, for the live line. */
export function describeFault(fault: Fault): string {
  const parts: string[] = [];
  if (fault.latencyMs > 0) parts.push(`+${fault.latencyMs} ms`);
  if (fault.errorRate > 0) parts.push(`${Math.round(fault.errorRate * 100)}% errors`);
  if (fault.cpuBurnMs > 0) parts.push(`${fault.cpuBurnMs} ms CPU burn`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}
