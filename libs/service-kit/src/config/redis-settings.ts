import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { bool, int, secret, text } from './variable-settings.js';

/** How to reach Redis; username (ACL) and password only when set. */
export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  readonly db: number;
}

/** Redis connection settings (FORESIGHT_REDIS_*): 127.0.0.1:6379, db 0, no auth, no TLS by default. */
export function redisSettings(): Setting<RedisSettings> {
  const fields = settingsGroup({
    host: text('FORESIGHT_REDIS_HOST', { default: '127.0.0.1', pattern: /^[A-Za-z0-9.:[\]-]+$/, description: 'a host name or IP address' }),
    port: int('FORESIGHT_REDIS_PORT', { default: 6379, min: 1, max: 65535 }),
    username: text('FORESIGHT_REDIS_USERNAME', { optional: true }),
    password: secret('FORESIGHT_REDIS_PASSWORD', { optional: true }),
    tls: bool('FORESIGHT_REDIS_TLS', { default: false }),
    db: int('FORESIGHT_REDIS_DB', { default: 0, min: 0, max: 1023 }),
  });
  return refineSetting(fields, ({ host, port, username, password, tls, db }) => ({
    ok: true,
    value: { host, port, tls, db, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) },
  }));
}
