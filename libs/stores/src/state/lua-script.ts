import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by EVALSHA, loaded with EVAL the first time a server does not know it (NOSCRIPT). */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script for a status-string reply. */
  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<string> {
    return String(await this.call(client, keys, args));
  }

  /** Runs the script for an array reply (status strings, bulk strings and nils). */
  async runArray(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<(string | null)[]> {
    const reply = await this.call(client, keys, args);
    if (!Array.isArray(reply)) throw new Error(`script replied ${typeof reply}, expected an array`);
    return reply as (string | null)[];
  }

  private async call(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
