import { randomBytes } from 'node:crypto';
import type { FlowEvent, HostEvent } from '@foresight/contracts';
import type { Resources } from '@foresight/core';
import type { KafkaBus } from '@foresight/messaging';
import type { GraphStore, LeaseLedger } from '@foresight/stores';
import { Partitioners, type Admin, type Kafka } from 'kafkajs';
import { deadLetterCount } from '../integration/fixtures/messaging-stack.js';
import type { ChaosStack } from './chaos-stack.js';
import type { ServiceFleet, ServiceName } from './service-fleet.js';

/** What a fault may act on and look at. */
export interface ChaosContext {
  readonly stack: ChaosStack;
  readonly fleet: ServiceFleet;
  readonly topicPrefix: string;
  readonly bus: KafkaBus;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly graph: GraphStore;
  readonly ledger: LeaseLedger;
  /** What the allocator may hand out per host (the ledger sampler's reference; a fault adding a host adds it here). */
  readonly headroom: Map<string, Resources>;
  /** Pathways of the fleet as published (each observed at least once). */
  readonly flows: readonly FlowEvent[];
  /** The largest record value the broker accepts on the stream's topics (found at set-up). */
  readonly largestValueBytes: number;
}

/** One fault: injected while anomalies stream, then the suite awaits recovery without a hand on the pipeline. */
export interface Fault {
  readonly name: string;
  /**
   * Injects the fault and does what the platform would do afterwards (a supervisor restarts a killed process, an
   * operator's restart policy a stopped server); resolves when the fault is over.
   */
  inject(ctx: ChaosContext): Promise<void>;
  /** What this fault's recovery still lacks beyond the pipeline's (undefined: nothing). */
  pending?(ctx: ChaosContext): Promise<string | undefined>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TEN_YEARS_MS = 10 * 365 * 24 * 3_600_000;

/** SIGKILL of one instance of a service (its twin keeps running; the supervisor starts it again). */
export function sigkill(service: ServiceName): Fault {
  return { name: `SIGKILL ${service}`, inject: (ctx) => ctx.fleet.killAndRestart(service, 'a') };
}

/** The Kafka broker stopped (SIGTERM, a controlled shutdown) and started again. */
export const kafkaRestart: Fault = {
  name: 'Kafka broker restart',
  inject: async (ctx) => {
    await ctx.stack.stop('kafka', 'SIGTERM');
    await ctx.stack.up();
  },
};

/** Neo4j stopped (SIGTERM) and started again, with its data. */
export const neo4jRestart: Fault = {
  name: 'Neo4j restart',
  inject: async (ctx) => {
    await ctx.stack.stop('neo4j', 'SIGTERM');
    await ctx.stack.up();
  },
};

/** Redis frozen by SIGSTOP for 20 s: connections stay open and nothing answers, then SIGCONT. */
export const redisFrozen: Fault = {
  name: 'Redis frozen 20 s (SIGSTOP)',
  inject: async (ctx) => {
    ctx.stack.freeze('redis');
    try {
      await sleep(20_000);
    } finally {
      ctx.stack.thaw('redis');
    }
  },
};

/**
 * Redis killed, its data (the append-only file) deleted, started empty: the ledger's capacities, budget and leases,
 * the scorer's open incidents, the adopted model and the idempotency keys are gone. Recovered means they were re-derived:
 * every host has its capacity in the ledger again (and granting resumes, which the suite checks for every fault).
 */
export const redisDataLoss: Fault = {
  name: 'Redis restarted with its data lost',
  inject: async (ctx) => {
    await ctx.stack.stop('redis', 'SIGKILL');
    ctx.stack.wipeData('redis');
    await ctx.stack.up();
  },
  pending: async (ctx) => {
    const hostIds = [...ctx.headroom.keys()];
    const ledgers = await ctx.ledger.hostLedgers(hostIds);
    const missing = hostIds.filter((_, i) => ledgers[i] === undefined);
    const budget = await ctx.ledger.budget();
    const problems = [
      ...(missing.length > 0 ? [`${missing.length} of ${hostIds.length} hosts have no capacity in the ledger`] : []),
      ...(budget.capacity.cpuMillis <= 0 ? ['the budget is not set'] : []),
    ];
    return problems.length > 0 ? problems.join('; ') : undefined;
  },
};

/**
 * A record as large as the broker accepts (random bytes: not the wire format, so poison) on `hosts`, keyed by a new
 * host, then a valid `hosts` event of that host behind it on the same partition. Its dead letter, with the headers the
 * runtime adds, cannot fit. Recovered: the poison dead-lettered by both consuming groups (the builder and the
 * allocator), and the valid event behind it applied (the host has its capacity in the ledger and is in Neo4j).
 */
export function poisonAtSizeLimit(): Fault {
  const hostId = 'chaos-host-poisoned';
  const capacity: Resources = { cpuMillis: 64_000, memoryMiB: 262_144, networkMbps: 25_000 };
  let dlqBefore = 0;
  return {
    name: 'poison record at the size limit',
    inject: async (ctx) => {
      dlqBefore = await deadLetterCount(ctx.admin, ctx.topicPrefix, 'hosts');
      const producer = ctx.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      try {
        await producer.send({ topic: `${ctx.topicPrefix}hosts`, acks: -1, messages: [{ key: hostId, value: poisonValue(ctx.largestValueBytes) }] });
      } finally {
        await producer.disconnect();
      }
      const behind: HostEvent = { eventId: `chaos-host-${Date.now()}`, eventTime: Date.now(), hostId, removed: false, capacity };
      await ctx.bus.publish('hosts', [behind]);
      ctx.headroom.set(hostId, capacity);
    },
    pending: async (ctx) => {
      const problems: string[] = [];
      const dead = (await deadLetterCount(ctx.admin, ctx.topicPrefix, 'hosts')) - dlqBefore;
      if (dead < 2) problems.push(`${dead} of 2 dead letters of the poison on hosts.dlq`);
      if ((await ctx.ledger.hostLedger(hostId)) === undefined) problems.push(`the ${hostId} update behind the poison is not in the ledger`);
      if (!(await ctx.graph.loadTopology()).hosts.some((h) => h.hostId === hostId)) problems.push(`the ${hostId} update behind the poison is not in Neo4j`);
      return problems.length > 0 ? problems.join('; ') : undefined;
    },
  };
}

/**
 * One valid flow of an existing pathway dated ten years ahead. Recovered: it was dead-lettered (flows.dlq), and the
 * graph still holds every pathway it held before (the builder's clock did not jump; nothing was swept as stale).
 */
export function eventFromTheFuture(): Fault {
  let dlqBefore = 0;
  let pathwaysBefore = 0;
  return {
    name: 'an event from the future (+10 years)',
    inject: async (ctx) => {
      dlqBefore = await deadLetterCount(ctx.admin, ctx.topicPrefix, 'flows');
      pathwaysBefore = (await ctx.graph.loadTopology()).pathways.length;
      const f = ctx.flows[0];
      const at = Date.now() + TEN_YEARS_MS;
      await ctx.bus.publish('flows', [{ ...f, eventId: `chaos-future-${at}`, eventTime: at, windowStart: at - (f.windowEnd - f.windowStart), windowEnd: at }]);
    },
    pending: async (ctx) => {
      const problems: string[] = [];
      if ((await deadLetterCount(ctx.admin, ctx.topicPrefix, 'flows')) <= dlqBefore) problems.push('the future flow is not on flows.dlq');
      const pathways = (await ctx.graph.loadTopology()).pathways.length;
      if (pathways < pathwaysBefore) problems.push(`Neo4j holds ${pathways} pathways, ${pathwaysBefore} before`);
      return problems.length > 0 ? problems.join('; ') : undefined;
    },
  };
}

/** Random bytes of the given size, not starting with the wire format's magic byte 0. */
function poisonValue(size: number): Buffer {
  const value = randomBytes(size);
  value[0] = 0xff;
  return value;
}

/**
 * The largest value (bytes, with a short key) the broker accepts in one record on `topic`: a bisection with real
 * produce requests on a scratch topic (existing, configured like the stream's: the broker's defaults).
 */
export async function largestAcceptedValue(kafka: Kafka, topic: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const fits = async (size: number): Promise<boolean> => {
      try {
        await producer.send({ topic, acks: -1, messages: [{ key: 'chaos-host-poisoned', value: Buffer.alloc(size, 1) }] });
        return true;
      } catch {
        return false;
      }
    };
    let low = 512 * 1024;
    let high = 2 * 1024 * 1024;
    if (!(await fits(low))) throw new Error(`the broker refuses even ${low} bytes on ${topic}`);
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await fits(mid)) low = mid;
      else high = mid;
    }
    return low;
  } finally {
    await producer.disconnect();
  }
}
