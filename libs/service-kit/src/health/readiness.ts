/** What a readiness check reports: a boolean, or ok with a short human-readable detail. */
export type CheckOutcome = boolean | { readonly ok: boolean; readonly detail?: string };

/** A readiness check: resolves its outcome; throwing or timing out counts as not ready. */
export type ReadinessCheck = () => CheckOutcome | Promise<CheckOutcome>;

/** One check's verdict in a readiness report. */
export interface CheckReport {
  readonly ok: boolean;
  readonly detail?: string;
  readonly durationMs: number;
}

/** The answer to /readyz: ready only when every check passed; `failed` names the checks that did not. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly failed: readonly string[];
  readonly checks: Readonly<Record<string, CheckReport>>;
}

const DEFAULT_TIMEOUT_MS = 2_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
    const { ok, detail } = typeof outcome === 'boolean' ? { ok: outcome, detail: undefined } : outcome;
    return { ok, ...(detail !== undefined ? { detail } : {}), durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, detail: describe(error), durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** The named readiness checks of a service, run concurrently on every /readyz request. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();

  constructor(private readonly timeoutMs: number = DEFAULT_TIMEOUT_MS) {}

  /** Registers (or replaces) the check called `name`. */
  add(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
  }

  /** Removes the check called `name`, if any. */
  remove(name: string): void {
    this.#checks.delete(name);
  }

  /** Runs every check; with no checks registered the service is not ready. */
  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.#checks].map(async ([name, check]) => [name, await runCheck(check, this.timeoutMs)] as const));
    const checks = Object.fromEntries(entries);
    const failed = entries.filter(([, r]) => !r.ok).map(([name]) => name);
    return { ready: entries.length > 0 && failed.length === 0, failed, checks };
  }
}
