import { redactUrl } from '@foresight/messaging';
import { accessDeniedHint } from '../config/access-denied-hint.js';

/** A start-up step that failed (e.g. "kafka", "redis"): names what broke, keeps the cause. */
export class StartupError extends Error {
  /** Stable code for callers that branch on errors. */
  readonly code = 'STARTUP_FAILED';
  readonly step: string;

  constructor(step: string, cause: unknown) {
    const described = describeError(cause);
    // A server's refusal (credentials, ACL, certificate) names the settings to check after its answer.
    super(`${step}: ${described}${accessDeniedHint(step, described)}`, { cause });
    this.name = 'StartupError';
    this.step = step;
  }
}

/**
 * One line describing an error and its causes (AggregateErrors, e.g. dual-stack ECONNREFUSED, included), credentials in
 * URLs hidden.
 */
export function describeError(error: unknown): string {
  return redactUrl(describeCauses(error, 0));
}

function describeCauses(error: unknown, depth: number): string {
  if (!(error instanceof Error)) return String(error).replace(/\s+/g, ' ');
  let message = error.message;
  if (message === '' && error instanceof AggregateError) message = error.errors.map((e) => describeCauses(e, depth + 1)).join(', ');
  if (message === '') message = error.name;
  const line = message.replace(/\s+/g, ' ').trim();
  if (error instanceof StartupError || error.cause === undefined || depth >= 3) return line;
  const cause = describeCauses(error.cause, depth + 1);
  return line.includes(cause) ? line : `${line} (cause: ${cause})`;
}
