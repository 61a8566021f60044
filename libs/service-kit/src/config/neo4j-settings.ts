import type { ConfigProblem } from './config-error.js';
import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { readCaFile, readUtf8, type FileReader } from './tls-ca-file.js';
import { bool, secret, text, url } from './variable-settings.js';

/** How to reach Neo4j; `encrypted` only when set (never with a +s / +ssc URI, which already implies TLS). */
export interface Neo4jSettings {
  readonly uri: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly encrypted?: boolean;
  /** With FORESIGHT_NEO4J_TLS_CA_FILE: trust only that CA (the driver reads the file). */
  readonly trust?: 'CUSTOM_CA';
  readonly trustedCertificates?: readonly string[];
}

const USER = 'FORESIGHT_NEO4J_USER';
const PASSWORD = 'FORESIGHT_NEO4J_PASSWORD';
const ENCRYPTED = 'FORESIGHT_NEO4J_ENCRYPTED';
const CA_FILE = 'FORESIGHT_NEO4J_TLS_CA_FILE';
const SCHEMES = ['bolt:', 'neo4j:', 'bolt+s:', 'neo4j+s:', 'bolt+ssc:', 'neo4j+ssc:'];

/** Neo4j connection settings (FORESIGHT_NEO4J_*): bolt://127.0.0.1:7687, no auth, server default database. */
export function neo4jSettings(readFile: FileReader = readUtf8): Setting<Neo4jSettings> {
  const fields = settingsGroup({
    uri: url('FORESIGHT_NEO4J_URI', { default: 'bolt://127.0.0.1:7687', protocols: SCHEMES }),
    user: text(USER, { optional: true }),
    password: secret(PASSWORD, { optional: true }),
    database: text('FORESIGHT_NEO4J_DATABASE', { optional: true, pattern: /^[A-Za-z][A-Za-z0-9.-]{0,62}$/, description: 'a database name' }),
    encrypted: bool(ENCRYPTED, { optional: true }),
    caFile: text(CA_FILE, { optional: true, description: 'a PEM file path' }),
  });
  return refineSetting(fields, ({ uri, user, password, database, encrypted, caFile }) => {
    const problems: ConfigProblem[] = [];
    if (user !== undefined && password === undefined) problems.push({ variable: PASSWORD, reason: `required when ${USER} is set` });
    if (password !== undefined && user === undefined) problems.push({ variable: USER, reason: `required when ${PASSWORD} is set` });
    if (encrypted !== undefined && /^\w+\+s(sc)?:/.test(uri)) {
      problems.push({ variable: ENCRYPTED, reason: 'must be unset with a +s / +ssc URI scheme (it already implies TLS)' });
    }
    if (caFile !== undefined) {
      // The driver refuses trust settings next to a +s / +ssc scheme; the CA file means TLS on a plain scheme.
      if (/^\w+\+s(sc)?:/.test(uri)) problems.push({ variable: CA_FILE, reason: 'must be unset with a +s / +ssc URI scheme (use bolt:// or neo4j://)' });
      if (encrypted === false) problems.push({ variable: CA_FILE, reason: `set but ${ENCRYPTED} is false` });
      const ca = readCaFile(CA_FILE, caFile, readFile);
      if (!ca.ok) problems.push(ca.problem);
    }
    if (problems.length > 0) return { ok: false, problems };
    return {
      ok: true,
      value: {
        uri,
        ...(user !== undefined && password !== undefined ? { user, password } : {}),
        ...(database !== undefined ? { database } : {}),
        ...(caFile !== undefined ? { encrypted: true, trust: 'CUSTOM_CA' as const, trustedCertificates: [caFile] } : encrypted !== undefined ? { encrypted } : {}),
      },
    };
  });
}
