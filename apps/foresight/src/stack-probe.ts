import { KafkaPrefixAdmin, redactUrl, SchemaRegistryClient } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import type { StackConnection } from './stack-pipeline.js';

/** A part of the stack a run needs. */
export type StackDependency = 'kafka' | 'schema-registry' | 'neo4j' | 'redis';

/** A part of the stack that did not answer, where it was looked for, and why (credentials in URLs hidden). */
export interface StackProblem {
  readonly dependency: StackDependency;
  readonly address: string;
  readonly detail: string;
}

/**
 * Checks, all at once and each within `timeoutMs`, that Kafka, the schema registry, Neo4j and Redis answer; returns
 * what did not (empty: all did). Writes only under the run's own names (Redis's index marker) and Neo4j's idempotent
 * schema statements.
 */
export async function probeStack(stack: StackConnection, timeoutMs = 3_000): Promise<StackProblem[]> {
  const checks: readonly [StackDependency, string, () => Promise<void>][] = [
    ['kafka', stack.kafka.brokers.join(','), async () => {
      const admin = await KafkaPrefixAdmin.connect({ ...stack.kafka, connectionTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, connectRetries: 0 }, stack.topicPrefix);
      await admin.close();
    }],
    ['schema-registry', stack.kafka.registry.url, async () => {
      await new SchemaRegistryClient({ ...stack.kafka.registry, timeoutMs }).subjects();
    }],
    ['neo4j', stack.neo4j.uri, async () => {
      const store = new Neo4jGraphStore({ ...stack.neo4j, namespace: stack.neo4jNamespace, connectionTimeoutMs: timeoutMs, maxTransactionRetryTimeMs: timeoutMs });
      try {
        await store.init();
      } finally {
        await store.close();
      }
    }],
    ['redis', `${stack.redis.host ?? '127.0.0.1'}:${stack.redis.port ?? 6379}`, async () => {
      const store = new RedisStateStore({ ...stack.redis, keyPrefix: stack.redisKeyPrefix, connectTimeoutMs: timeoutMs, maxRetriesPerRequest: 0 });
      try {
        await store.init();
      } finally {
        await store.close();
      }
    }],
  ];
  const outcomes = await Promise.all(checks.map(async ([dependency, address, check]) => {
    try {
      await withDeadline(check(), timeoutMs * 3);
      return undefined;
    } catch (error) {
      return { dependency, address: redactUrl(address), detail: redactUrl((error as Error).message) };
    }
  }));
  return outcomes.filter((o): o is StackProblem => o !== undefined);
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
