import { redactUrl } from './redact-url.js';
import type { ConnectionOptions } from 'node:tls';
import type { RegistryConfig } from './schema-registry-client.js';
import { RuntimeError } from './runtime-error.js';

/** SASL credentials for Kafka. */
export type KafkaSaslConfig = { readonly username: string; readonly password: string } & (
  | { readonly mechanism: 'plain' }
  | { readonly mechanism: 'scram-sha-256' }
  | { readonly mechanism: 'scram-sha-512' }
);

/** How to reach Kafka and the schema registry. */
export interface KafkaConnectionConfig {
  /** `host:port` of at least one broker. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** true: TLS with the system CAs; an object: TLS with these options (ca, cert, key, servername…). */
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: KafkaSaslConfig;
  readonly registry: RegistryConfig;
  /** Default 3 s. */
  readonly connectionTimeoutMs?: number;
  /** Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How often a failed connection or request is retried before it fails (default 5, with backoff: ~10 s on a closed port). */
  readonly connectRetries?: number;
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'];
const BROKER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** Checks a connection config and returns it; CONFIG_INVALID naming the first bad setting. */
export function validateKafkaConnection(config: KafkaConnectionConfig): KafkaConnectionConfig {
  const fail = (setting: string, problem: string): never => {
    throw new RuntimeError('CONFIG_INVALID', `kafka connection: ${setting} ${problem}`);
  };
  if (!Array.isArray(config.brokers) || config.brokers.length === 0) fail('brokers', 'must list at least one host:port');
  config.brokers.forEach((broker, i) => {
    const match = typeof broker === 'string' ? BROKER.exec(broker) : null;
    if (match === null || Number(match[2]) < 1 || Number(match[2]) > 65535) fail(`brokers[${i}]`, `'${String(broker)}' is not host:port`);
  });
  if (typeof config.clientId !== 'string' || config.clientId.trim() === '') fail('clientId', 'must be a non-empty string');
  if (config.ssl !== undefined && typeof config.ssl !== 'boolean' && (typeof config.ssl !== 'object' || config.ssl === null)) {
    fail('ssl', 'must be a boolean or TLS options');
  }
  if (config.sasl !== undefined) {
    if (!MECHANISMS.includes(config.sasl.mechanism)) fail('sasl.mechanism', `must be one of ${MECHANISMS.join(', ')}, got '${String(config.sasl.mechanism)}'`);
    if (typeof config.sasl.username !== 'string' || config.sasl.username === '') fail('sasl.username', 'must be a non-empty string');
    if (typeof config.sasl.password !== 'string' || config.sasl.password === '') fail('sasl.password', 'must be a non-empty string');
  }
  for (const [setting, value] of [['connectionTimeoutMs', config.connectionTimeoutMs], ['requestTimeoutMs', config.requestTimeoutMs]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) fail(setting, `must be a positive integer of milliseconds, got ${String(value)}`);
  }
  if (config.connectRetries !== undefined && (!Number.isInteger(config.connectRetries) || config.connectRetries < 0)) {
    fail('connectRetries', `must be a non-negative integer, got ${String(config.connectRetries)}`);
  }
  if (typeof config.registry !== 'object' || config.registry === null) return fail('registry', 'is required ({ url })');
  let url: URL | undefined;
  try {
    url = new URL(config.registry.url);
  } catch {
    fail('registry.url', `'${redactUrl(String(config.registry.url))}' is not a URL`);
  }
  if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') fail('registry.url', `must be http(s), got '${url.protocol}'`);
  if (config.registry.auth !== undefined && (typeof config.registry.auth.username !== 'string' || typeof config.registry.auth.password !== 'string')) {
    fail('registry.auth', 'must have string username and password');
  }
  return config;
}
