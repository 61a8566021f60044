import { RuntimeError } from './runtime-error.js';

/** Where the Confluent-compatible schema registry is (Apicurio: `http://host:8081/apis/ccompat/v7`). */
export interface RegistryConfig {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** A small fetch-based client of the Confluent schema-registry REST API (the subset the runtime needs). */
export class SchemaRegistryClient {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly config: RegistryConfig) {
    this.baseUrl = config.url.replace(/\/+$/, '');
    this.headers = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
    if (config.auth) {
      this.headers.authorization = `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`;
    }
  }

  /** Registers (or finds) an Avro schema under `subject`; returns its id. SCHEMA_REJECTED when incompatible. */
  async register(subject: string, schemaText: string): Promise<number> {
    const response = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: schemaText, schemaType: 'AVRO' });
    if (!response.ok) {
      const body = await response.text();
      if (response.status >= 500) throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry ${response.status} registering ${subject}: ${body}`);
      throw new RuntimeError('SCHEMA_REJECTED', `registry refused the schema of subject '${subject}' (${response.status}): ${body}`);
    }
    const { id } = (await response.json()) as { id?: unknown };
    if (typeof id !== 'number') throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry answered without an id registering ${subject}`);
    return id;
  }

  /** The schema text of an id, or undefined when the registry does not know it. */
  async schemaById(id: number): Promise<string | undefined> {
    const response = await this.request('GET', `/schemas/ids/${id}`);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry ${response.status} looking up schema id ${id}: ${await response.text()}`);
    const { schema } = (await response.json()) as { schema?: unknown };
    if (typeof schema !== 'string') throw new RuntimeError('REGISTRY_UNAVAILABLE', `registry answered without a schema for id ${id}`);
    return schema;
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

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new RuntimeError('REGISTRY_UNAVAILABLE', `schema registry at ${this.baseUrl} unreachable: ${(cause as Error).message}`, { cause });
    }
  }
}
