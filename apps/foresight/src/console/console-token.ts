import { createHash, timingSafeEqual } from 'node:crypto';

/** The cookie the page keeps the token in once it was given as `/?token=…` (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = 'foresight_console_token';

/** True when `presented` is the token: compared in constant time (on SHA-256 digests, so lengths do not leak either). */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents: `Authorization: Bearer <token>`, else the console's cookie. */
export function presentedToken(headers: { readonly authorization?: string; readonly cookie?: string }): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer !== null) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
