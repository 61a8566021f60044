/** Query parameters whose values are credentials (case-insensitive). */
const SECRET_PARAMETERS = 'password|passwd|pwd|secret|token|access_token|auth_token|api_key|apikey';

/** `scheme://user:pass@` (user info ends at the last `@` before the path, query, fragment or a space). */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"<>]*@/gi;
const SECRET_QUERY = new RegExp(`([?&](?:${SECRET_PARAMETERS})=)[^&#\\s'"<>]*`, 'gi');

/** What a hidden credential is printed as. */
export const REDACTED_CREDENTIAL = '***';

/**
 * A URL, or any text with URLs in it (an error message, a log line), with credentials hidden: user info becomes
 * `***@` and password/token-like query values `***`. Works on text that does not parse as a URL; the rest is unchanged.
 */
export function redactUrl(text: string): string {
  return text.replace(USER_INFO, `$1${REDACTED_CREDENTIAL}@`).replace(SECRET_QUERY, `$1${REDACTED_CREDENTIAL}`);
}
