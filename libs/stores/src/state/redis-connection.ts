import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { StoreError } from '../store-error.js';

/** Connection and layout settings of the Redis state store (and of the read-only risk read model). */
export interface RedisStateStoreConfig {
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  /** TLS: true for the system CAs, or node:tls options (ca, servername, cert, key…). */
  readonly tls?: boolean | ConnectionOptions;
  readonly db?: number;
  /** Prepended to every key (e.g. "foresight:"; a `{tag}` in it keeps every key in one Redis Cluster slot). */
  readonly keyPrefix: string;
  readonly connectTimeoutMs?: number;
  /** How often a command is retried across reconnects before it fails with STORE_UNAVAILABLE (default 2). */
  readonly maxRetriesPerRequest?: number;
}

/** A lazily connecting client for the config (the first command connects). */
export function redisClient(config: RedisStateStoreConfig): Redis {
  if (typeof config.keyPrefix !== 'string') throw new StoreError('INVALID_INPUT', 'keyPrefix must be a string');
  const tls = config.tls === true ? {} : config.tls === false ? undefined : config.tls;
  const client = new Redis({
    host: config.host ?? '127.0.0.1',
    port: config.port ?? 6379,
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(tls === undefined ? {} : { tls }),
    db: config.db ?? 0,
    lazyConnect: true,
    connectTimeout: config.connectTimeoutMs ?? 5_000,
    maxRetriesPerRequest: config.maxRetriesPerRequest ?? 2,
    // Commands issued in the same tick go out in one write (services issue many small concurrent commands); order
    // on the connection is unchanged.
    enableAutoPipelining: true,
  });
  // NOTE: ioredis emits 'error' on every failed reconnect; without a listener Node would crash the process.
  // Failures reach callers as rejected commands (STORE_UNAVAILABLE), so the event itself is ignorable, except that a
  // refused AUTH (WRONGPASS, NOAUTH) or TLS handshake is reported only there before the socket closes: connect() would
  // reject with "Connection is closed." alone. The server's answer is kept and added to that rejection.
  let refusal: Error | undefined;
  client.on('error', (error: Error) => (refusal = error));
  client.on('ready', () => (refusal = undefined));
  const connect = client.connect.bind(client);
  client.connect = (callback) => connect(callback).catch((error: unknown) => {
    if (refusal === undefined || !(error instanceof Error) || error === refusal) throw error;
    throw new Error(`${error.message} (the server answered: ${refusal.message})`, { cause: refusal });
  });
  return client;
}

/** Quits politely when connected, or just drops the socket. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end' || client.status === 'wait') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}

/** The replies of a MULTI or pipeline, throwing the first error. */
export function unwrap(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new StoreError('STORE_UNAVAILABLE', 'redis transaction was discarded');
  return replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}
