import type { ConfigProblem } from './config-error.js';
import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { secret, text, url } from './variable-settings.js';

/** How to reach the schema registry; basic auth when both username and password are set. */
export interface RegistrySettings {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

const USERNAME = 'FORESIGHT_SCHEMA_REGISTRY_USERNAME';
const PASSWORD = 'FORESIGHT_SCHEMA_REGISTRY_PASSWORD';

/** Schema registry settings (FORESIGHT_SCHEMA_REGISTRY_*): the local stack's Confluent-compatible API, no auth by default. */
export function registrySettings(): Setting<RegistrySettings> {
  const fields = settingsGroup({
    url: url('FORESIGHT_SCHEMA_REGISTRY_URL', { default: 'http://127.0.0.1:8081/apis/ccompat/v7', protocols: ['http:', 'https:'] }),
    username: text(USERNAME, { optional: true }),
    password: secret(PASSWORD, { optional: true }),
  });
  return refineSetting(fields, ({ url: address, username, password }) => {
    const problems: ConfigProblem[] = [];
    if (username !== undefined && password === undefined) problems.push({ variable: PASSWORD, reason: `required when ${USERNAME} is set` });
    if (password !== undefined && username === undefined) problems.push({ variable: USERNAME, reason: `required when ${PASSWORD} is set` });
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, value: { url: address, ...(username !== undefined && password !== undefined ? { username, password } : {}) } };
  });
}
