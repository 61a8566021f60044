import type { StalledPartition } from '@foresight/messaging';
import type { CheckOutcome, ReadinessCheck } from './readiness.js';

/** What readiness asks of a Kafka bus (KafkaBus has all of it). */
export interface ReadinessBus {
  health(): { readonly ready: boolean; readonly details: Readonly<Record<string, unknown>> };
  /** A round trip to the broker. */
  pingBroker(): Promise<unknown>;
  /** A round trip to the schema registry. */
  pingRegistry(): Promise<unknown>;
  stalledPartitions(stallAfterMs: number): readonly StalledPartition[];
}

/** The dependencies of a service whose state readiness reports, each optional. */
export interface Dependencies {
  /** Checked as `kafka` (bus state and a broker round trip), `registry` and `consumers` (no stalled partition). */
  readonly bus?: ReadinessBus;
  /** A cheap round trip to Redis (e.g. a read of one key), checked as `redis`. */
  readonly redis?: () => Promise<unknown>;
  /** A cheap round trip to Neo4j (e.g. a small query), checked as `neo4j`. */
  readonly neo4j?: () => Promise<unknown>;
}

/**
 * One probe at a time: while a round trip is unanswered (a frozen server) later checks wait for the same one instead
 * of piling up requests; the readiness timeout turns the wait into a failure.
 */
function singleFlight(probe: () => Promise<unknown>): () => Promise<unknown> {
  let pending: Promise<unknown> | undefined;
  return () => (pending ??= probe().finally(() => {
    pending = undefined;
  }));
}

const roundTrip = (probe: () => Promise<unknown>): ReadinessCheck => {
  const once = singleFlight(probe);
  return async (): Promise<CheckOutcome> => {
    await once();
    return { ok: true, detail: 'answered' };
  };
};

function describeStall(stalled: StalledPartition): string {
  return `${stalled.topic}/${stalled.partition} (group ${stalled.groupId}): ${stalled.behind} record(s) waiting at offset ${stalled.position}, no progress for ${Math.round(stalled.stalledForMs / 1000)} s`;
}

/** The checks of one bus: its state and the broker, the registry, and its consumers' progress. */
function busChecks(bus: ReadinessBus, stallAfterMs: number): Record<string, ReadinessCheck> {
  const broker = singleFlight(() => bus.pingBroker());
  return {
    kafka: async (): Promise<CheckOutcome> => {
      const health = bus.health();
      if (!health.ready) return { ok: false, detail: `bus not ready: ${JSON.stringify(health.details).slice(0, 500)}` };
      await broker();
      return { ok: true, detail: 'answered' };
    },
    registry: roundTrip(() => bus.pingRegistry()),
    consumers: (): CheckOutcome => {
      const stalled = bus.stalledPartitions(stallAfterMs);
      if (stalled.length === 0) return { ok: true, detail: `no partition stalled for ${Math.round(stallAfterMs / 1000)} s` };
      return { ok: false, detail: `stalled: ${stalled.map(describeStall).join('; ')}` };
    },
  };
}

/**
 * The readiness checks of a service's dependencies, by name: `kafka`, `registry`, `consumers` (a partition with records
 * waiting and no progress for `stallAfterMs` fails it, naming the partition), `redis`, `neo4j`: those given. Each
 * round trip is single-flight; the Readiness timeout (2 s) fails a dependency that does not answer (a frozen Redis).
 */
export function dependencyChecks(dependencies: Dependencies, stallAfterMs: number): Record<string, ReadinessCheck> {
  return {
    ...(dependencies.bus !== undefined ? busChecks(dependencies.bus, stallAfterMs) : {}),
    ...(dependencies.redis !== undefined ? { redis: roundTrip(dependencies.redis) } : {}),
    ...(dependencies.neo4j !== undefined ? { neo4j: roundTrip(dependencies.neo4j) } : {}),
  };
}
