import { randomUUID } from 'node:crypto';

/** What one test owns on the shared stack: a topic prefix, a consumer group and a key prefix, all unique. */
export interface TestWorld {
  readonly id: string;
  readonly topicPrefix: string;
  readonly groupId: string;
  readonly keyPrefix: string;
}

/** A fresh, unique world for one test (never a shared topic). */
export function newTestWorld(label: string): TestWorld {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  return { id, topicPrefix: `t.${id}.`, groupId: `g.${id}`, keyPrefix: `k:${id}:` };
}

/** Awaits a condition with a deadline instead of sleeping a fixed time; fails with `what` on timeout. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
