import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by EVALSHA, loaded with EVAL the first time a server does not know it (NOSCRIPT). */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; the reply is always a status string in this package. */
  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<string> {
    try {
      return String(await client.evalsha(this.sha, keys.length, ...keys, ...args));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return String(await client.eval(this.source, keys.length, ...keys, ...args));
    }
  }
}
