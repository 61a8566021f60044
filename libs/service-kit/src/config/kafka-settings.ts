import type { ConfigProblem } from './config-error.js';
import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { readUtf8, type FileReader } from './tls-ca-file.js';
import { bool, list, oneOf, secret, text } from './variable-settings.js';

/** SASL mechanisms Kafka clients speak. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** One of KAFKA_SASL_MECHANISMS. */
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** PEM contents (not paths) read from the configured CA, certificate and key files. */
export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** How to reach Kafka: brokers, client id, TLS (true = system CAs, or PEM material) and SASL. */
export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean | TlsMaterial;
  readonly sasl?: { readonly mechanism: KafkaSaslMechanism; readonly username: string; readonly password: string };
}

/** Defaults a service passes to `kafkaSettings`: usually its own name as the client id. */
export interface KafkaSettingsOptions {
  readonly clientId?: string;
}

export type { FileReader } from './tls-ca-file.js';

const BROKER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([1-9]\d{0,4})$/;

const VARS = {
  brokers: 'FORESIGHT_KAFKA_BROKERS',
  clientId: 'FORESIGHT_KAFKA_CLIENT_ID',
  tls: 'FORESIGHT_KAFKA_TLS',
  ca: 'FORESIGHT_KAFKA_TLS_CA_FILE',
  cert: 'FORESIGHT_KAFKA_TLS_CERT_FILE',
  key: 'FORESIGHT_KAFKA_TLS_KEY_FILE',
  mechanism: 'FORESIGHT_KAFKA_SASL_MECHANISM',
  username: 'FORESIGHT_KAFKA_SASL_USERNAME',
  password: 'FORESIGHT_KAFKA_SASL_PASSWORD',
} as const;

/** Kafka connection settings (FORESIGHT_KAFKA_*): local broker, no TLS, no SASL by default. */
export function kafkaSettings(options: KafkaSettingsOptions = {}, readFile: FileReader = readUtf8): Setting<KafkaSettings> {
  const fields = settingsGroup({
    brokers: list(VARS.brokers, { default: ['127.0.0.1:9092'], itemPattern: BROKER, itemName: 'host:port' }),
    clientId: text(VARS.clientId, { default: options.clientId ?? 'foresight', pattern: /^[A-Za-z0-9._-]+$/, description: 'a client id of letters, digits, . _ -' }),
    tls: bool(VARS.tls, { default: false }),
    ca: text(VARS.ca, { optional: true, description: 'a PEM file path' }),
    cert: text(VARS.cert, { optional: true, description: 'a PEM file path' }),
    key: text(VARS.key, { optional: true, description: 'a PEM file path' }),
    mechanism: oneOf(VARS.mechanism, KAFKA_SASL_MECHANISMS, { optional: true }),
    username: text(VARS.username, { optional: true }),
    password: secret(VARS.password, { optional: true }),
  });
  return refineSetting(fields, (f) => {
    const problems: ConfigProblem[] = [];
    const files = { ca: f.ca, cert: f.cert, key: f.key };
    const material: { ca?: string; cert?: string; key?: string } = {};
    for (const [field, path] of Object.entries(files) as [keyof TlsMaterial, string | undefined][]) {
      if (path === undefined) continue;
      if (!f.tls) {
        problems.push({ variable: VARS[field], reason: `set but ${VARS.tls} is off` });
        continue;
      }
      try {
        material[field] = readFile(path);
      } catch (error) {
        problems.push({ variable: VARS[field], reason: `cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'read failed'})` });
      }
    }
    if ((f.cert === undefined) !== (f.key === undefined)) {
      problems.push({ variable: f.cert === undefined ? VARS.cert : VARS.key, reason: `must be set together with ${f.cert === undefined ? VARS.key : VARS.cert}` });
    }
    if (f.mechanism === undefined) {
      if (f.username !== undefined) problems.push({ variable: VARS.username, reason: `set but ${VARS.mechanism} is not` });
      if (f.password !== undefined) problems.push({ variable: VARS.password, reason: `set but ${VARS.mechanism} is not` });
    } else {
      if (f.username === undefined) problems.push({ variable: VARS.username, reason: `required when ${VARS.mechanism} is set` });
      if (f.password === undefined) problems.push({ variable: VARS.password, reason: `required when ${VARS.mechanism} is set` });
    }
    if (problems.length > 0) return { ok: false, problems };
    const hasMaterial = Object.keys(material).length > 0;
    const { mechanism, username, password } = f;
    return {
      ok: true,
      value: {
        brokers: f.brokers,
        clientId: f.clientId,
        ...(f.tls ? { ssl: hasMaterial ? material : true } : {}),
        ...(mechanism !== undefined && username !== undefined && password !== undefined ? { sasl: { mechanism, username, password } } : {}),
      },
    };
  });
}
