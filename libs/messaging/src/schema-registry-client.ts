import http from 'node:http';
import https from 'node:https';
import { type COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { redactUrl } from './redact-url.js';
import { RuntimeError } from './runtime-error.js';

/** A subject's compatibility level (Confluent's names). */
export type RegistryCompatibility = `${COMPATIBILITY}`;

/** Where the Confluent-compatible schema registry is (Apicurio: `http://host:8081/apis/ccompat/v7`). */
export interface RegistryConfig {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  /** PEM of the CA(s) an https registry's certificate must chain to (instead of the system CAs). */
  readonly ca?: string;
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
  /**
   * The compatibility level subjects must have (default BACKWARD, the stack's): a subject with another level refuses
   * registration (SCHEMA_REJECTED), a subject without one gets it.
   */
  readonly compatibility?: RegistryCompatibility;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const CLIENT_ID = 'foresight';
/** A registration that lost a race on a new subject's compatibility rule is tried once more (see register). */
const REGISTER_ATTEMPTS = 2;

/** What @kafkajs/confluent-schema-registry rejects with: its ResponseError (an HTTP status) or its own errors. */
interface RegistryFailure {
  readonly name?: string;
  readonly message: string;
  readonly status?: number;
}

/** The URL without user info, and that user info as basic auth (fetch refuses a URL with credentials). */
function splitCredentials(url: string): { url: string; auth?: { username: string; password: string } } {
  if (!URL.canParse(url)) return { url };
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url };
  const auth = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, auth };
}

const failureOf = (cause: unknown): RegistryFailure => (cause instanceof Error ? cause : { message: String(cause) });

/**
 * NOTE: mappersmith reports a failed connection or a timeout as status 400 with the error text as body, while a
 * registry's own 4xx has a JSON body with a message; the library renders the former as "<client> - Error, status 400".
 */
const isTransportFailure = (failure: RegistryFailure): boolean => {
  // The library's own refusals (a compatibility level that differs, a schema without a name) carry no status.
  if (failure.status === undefined) return !failure.name?.startsWith('ConfluentSchemaRegistry');
  return failure.status >= 500 || (failure.status === 400 && failure.message.startsWith(`${CLIENT_ID} - Error, status 400`));
};

/**
 * The schema registry through @kafkajs/confluent-schema-registry (registration with its compatibility check, lookup by
 * id with its cache, Avro encoding and framing), with its failures mapped to RuntimeError codes. Listing and deleting
 * subjects, which the library does not offer, are two plain REST calls.
 */
export class SchemaRegistryClient {
  private readonly registry: SchemaRegistry;
  private readonly baseUrl: string;
  /** The registry's address as printed: credentials hidden. */
  private readonly where: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly compatibility: COMPATIBILITY;
  /** Only with a custom CA; the global agents otherwise. */
  private readonly agent: https.Agent | undefined;

  constructor(config: RegistryConfig) {
    const split = splitCredentials(config.url);
    const auth = config.auth ?? split.auth;
    this.baseUrl = split.url.replace(/\/+$/, '');
    this.where = redactUrl(this.baseUrl);
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.compatibility = (config.compatibility ?? 'BACKWARD') as COMPATIBILITY;
    const timeoutMs = this.timeoutMs;
    this.agent = config.ca === undefined || !this.baseUrl.startsWith('https:') ? undefined : new https.Agent({ keepAlive: true, ca: config.ca });
    this.registry = new SchemaRegistry({
      host: this.baseUrl,
      clientId: CLIENT_ID,
      ...(this.agent === undefined ? {} : { agent: this.agent }),
      ...(auth ? { auth: { username: auth.username, password: auth.password } } : {}),
      middlewares: [() => ({ prepareRequest: async (next) => {
        const request = await next();
        return request.timeout() ? request : request.enhance({ timeout: timeoutMs });
      } })],
    });
    this.headers = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
    if (auth) {
      this.headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
  }

  /** Registers (or finds) an Avro schema under `subject`; returns its id. SCHEMA_REJECTED when incompatible. */
  async register(subject: string, schemaText: string): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: schemaText }, { subject, compatibility: this.compatibility });
        return id;
      } catch (cause) {
        // Two instances registering a new subject at once both set its compatibility; the registry takes one and answers
        // the other 409 (Apicurio: "A rule named 'COMPATIBILITY' already exists"). The subject exists by then, so a
        // second registration finds its config, checks it and returns the id. An incompatible schema is refused again.
        if (attempt < REGISTER_ATTEMPTS && failureOf(cause).status === 409) continue;
        throw this.registrationFailure(subject, cause);
      }
    }
  }

  private registrationFailure(subject: string, cause: unknown): RuntimeError {
    const failure = failureOf(cause);
    if (isTransportFailure(failure)) {
      return new RuntimeError('REGISTRY_UNAVAILABLE', `schema registry at ${this.where} failed registering ${subject}: ${redactUrl(failure.message)}`, { cause });
    }
    const status = failure.status === undefined ? '' : ` (${failure.status})`;
    return new RuntimeError('SCHEMA_REJECTED', `registry refused the schema of subject '${subject}'${status}: ${redactUrl(failure.message)}`, { cause });
  }

  /** The Avro type a schema id names (cached after the first lookup), or undefined when the registry does not know it. */
  async writerType(id: number): Promise<avro.Type | undefined> {
    try {
      return (await this.registry.getSchema(id)) as unknown as avro.Type;
    } catch (cause) {
      const failure = failureOf(cause);
      if (failure.status === 404) return undefined;
      if (isTransportFailure(failure)) throw new RuntimeError('REGISTRY_UNAVAILABLE', `schema registry at ${this.where} failed looking up schema id ${id}: ${redactUrl(failure.message)}`, { cause });
      // A schema the library cannot parse (not Avro, or broken) cannot be read as any topic's schema: poison.
      return undefined;
    }
  }

  /** Avro-encodes `message` under a registered id and frames it (magic byte, id, payload). */
  encode(id: number, message: unknown): Promise<Buffer> {
    return this.registry.encode(id, message);
  }

  /** The registry's global compatibility: one small round trip whatever the registry holds (readiness). */
  async ping(): Promise<{ readonly compatibility: string }> {
    const response = await this.request('GET', '/config');
    if (!response.ok) throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry ${response.status} reading its config: ${await response.text()}`);
    const { compatibilityLevel } = (await response.json()) as { compatibilityLevel?: unknown };
    return { compatibility: typeof compatibilityLevel === 'string' ? compatibilityLevel : '' };
  }

  /** Every subject the registry holds. */
  async subjects(): Promise<string[]> {
    const response = await this.request('GET', '/subjects');
    if (!response.ok) throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry ${response.status} listing subjects: ${await response.text()}`);
    return (await response.json()) as string[];
  }

  /** Deletes a subject and every version of it for good (soft delete, then permanent, as the Confluent API requires). */
  async deleteSubject(subject: string): Promise<void> {
    for (const query of ['', '?permanent=true']) {
      const response = await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}${query}`);
      if (!response.ok && response.status !== 404) throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry ${response.status} deleting ${subject}: ${await response.text()}`);
      await response.body?.cancel();
    }
  }

  /** One REST call through the client's agent (so a custom CA applies), its answer buffered. */
  private async request(method: string, path: string): Promise<Response> {
    const url = new URL(`${this.baseUrl}${path}`);
    try {
      return await new Promise<Response>((resolve, reject) => {
        const send = url.protocol === 'https:' ? https.request : http.request;
        const req = send(url, { method, headers: this.headers, timeout: this.timeoutMs, ...(this.agent === undefined ? {} : { agent: this.agent }) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 502;
            resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status }));
          });
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
      });
    } catch (cause) {
      throw new RuntimeError('REGISTRY_UNAVAILABLE', `schema registry at ${this.where} unreachable: ${redactUrl((cause as Error).message)}`, { cause });
    }
  }
}
