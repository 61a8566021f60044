import type { ConfigProblem } from './config-error.js';
import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { readCaFile, readUtf8, type FileReader } from './tls-ca-file.js';
import { bool, int, secret, text } from './variable-settings.js';

/** How to reach Redis; username (ACL) and password only when set; TLS with the system CAs (true) or a custom CA. */
export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean | { readonly ca: string };
  readonly db: number;
}

const TLS = 'FORESIGHT_REDIS_TLS';
const CA_FILE = 'FORESIGHT_REDIS_TLS_CA_FILE';

/** Redis connection settings (FORESIGHT_REDIS_*): 127.0.0.1:6379, db 0, no auth, no TLS by default. */
export function redisSettings(readFile: FileReader = readUtf8): Setting<RedisSettings> {
  const fields = settingsGroup({
    host: text('FORESIGHT_REDIS_HOST', { default: '127.0.0.1', pattern: /^[A-Za-z0-9.:[\]-]+$/, description: 'a host name or IP address' }),
    port: int('FORESIGHT_REDIS_PORT', { default: 6379, min: 1, max: 65535 }),
    username: text('FORESIGHT_REDIS_USERNAME', { optional: true }),
    password: secret('FORESIGHT_REDIS_PASSWORD', { optional: true }),
    tls: bool(TLS, { default: false }),
    caFile: text(CA_FILE, { optional: true, description: 'a PEM file path' }),
    db: int('FORESIGHT_REDIS_DB', { default: 0, min: 0, max: 1023 }),
  });
  return refineSetting(fields, ({ host, port, username, password, tls, caFile, db }) => {
    let secured: RedisSettings['tls'] = tls;
    if (caFile !== undefined) {
      const problems: ConfigProblem[] = [];
      if (!tls) problems.push({ variable: CA_FILE, reason: `set but ${TLS} is off` });
      const ca = readCaFile(CA_FILE, caFile, readFile);
      if (!ca.ok) problems.push(ca.problem);
      if (problems.length > 0 || !ca.ok) return { ok: false, problems };
      secured = { ca: ca.pem };
    }
    return {
      ok: true,
      value: { host, port, tls: secured, db, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) },
    };
  });
}
