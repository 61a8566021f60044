import type { ConfigProblem } from './config-error.js';
import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { readCaFile, readUtf8, type FileReader } from './tls-ca-file.js';
import { secret, text, url } from './variable-settings.js';

/** How to reach the schema registry; basic auth when both username and password are set. */
export interface RegistrySettings {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM of the CA an https registry's certificate must chain to (FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE). */
  readonly ca?: string;
}

const USERNAME = 'FORESIGHT_SCHEMA_REGISTRY_USERNAME';
const PASSWORD = 'FORESIGHT_SCHEMA_REGISTRY_PASSWORD';
const CA_FILE = 'FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE';

/** Schema registry settings (FORESIGHT_SCHEMA_REGISTRY_*): the local stack's Confluent-compatible API, no auth by default. */
export function registrySettings(readFile: FileReader = readUtf8): Setting<RegistrySettings> {
  const fields = settingsGroup({
    url: url('FORESIGHT_SCHEMA_REGISTRY_URL', { default: 'http://127.0.0.1:8081/apis/ccompat/v7', protocols: ['http:', 'https:'] }),
    username: text(USERNAME, { optional: true }),
    password: secret(PASSWORD, { optional: true }),
    caFile: text(CA_FILE, { optional: true, description: 'a PEM file path' }),
  });
  return refineSetting(fields, ({ url: address, username, password, caFile }) => {
    const problems: ConfigProblem[] = [];
    if (username !== undefined && password === undefined) problems.push({ variable: PASSWORD, reason: `required when ${USERNAME} is set` });
    if (password !== undefined && username === undefined) problems.push({ variable: USERNAME, reason: `required when ${PASSWORD} is set` });
    let ca: string | undefined;
    if (caFile !== undefined) {
      if (!address.startsWith('https:')) problems.push({ variable: CA_FILE, reason: 'set but FORESIGHT_SCHEMA_REGISTRY_URL is not https' });
      const read = readCaFile(CA_FILE, caFile, readFile);
      if (read.ok) ca = read.pem;
      else problems.push(read.problem);
    }
    if (problems.length > 0) return { ok: false, problems };
    return {
      ok: true,
      value: { url: address, ...(username !== undefined && password !== undefined ? { username, password } : {}), ...(ca !== undefined ? { ca } : {}) },
    };
  });
}
