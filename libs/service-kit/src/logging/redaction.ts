/** Field names whose values are replaced by "[redacted]" wherever they appear (up to three levels deep). */
export const SECRET_FIELDS = ['password', 'secret', 'token', 'apiKey', 'authorization', 'privateKey', 'credentials'] as const;

/** The replacement written in place of a secret. */
export const REDACTED = '[redacted]';

const DEPTH = 3;

/** Redaction paths for pino: every secret field at the top level and under up to DEPTH wildcards, plus TLS keys. */
export function redactionPaths(extra: readonly string[] = []): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= DEPTH; depth += 1) {
    const prefix = '*.'.repeat(depth);
    for (const field of SECRET_FIELDS) paths.push(`${prefix}${field}`);
    // NOTE: `key` alone is too common (message keys, Redis keys); only TLS private keys are hidden.
    if (depth < DEPTH) paths.push(`${prefix}ssl.key`, `${prefix}tls.key`);
  }
  return [...paths, ...extra];
}
