import type { Redis } from 'ioredis';
import { assertPositiveInteger, assertStoreId } from '../store-input.js';
import { closeRedis, redisClient, unwrap, type RedisStateStoreConfig } from './redis-connection.js';
import { toStoreError } from './redis-errors.js';
import { liveScoresKey } from './redis-hot-scores.js';
import { RedisKeys } from './redis-keys.js';
import type { IncidentRisk, IncidentScores, RiskReadModel, ScoreEntry, VmRisk } from './risk-read-model.js';

/** An incident's top scores: its version, ranked VMs and their ETAs in one MULTI. */
export async function readTopIncidentScores(client: Redis, keys: RedisKeys, incidentId: string, limit: number): Promise<IncidentScores | undefined> {
  const replies = await client.multi()
    .get(keys.scoreVersion(incidentId))
    .zrevrange(keys.scores(incidentId), 0, limit - 1, 'WITHSCORES')
    .hgetall(keys.etas(incidentId))
    .exec();
  const [version, ranked, etas] = unwrap(replies) as [string | null, string[], Record<string, string>];
  if (version === null) return undefined;
  const entries: ScoreEntry[] = [];
  for (let i = 0; i < ranked.length; i += 2) {
    const vmId = ranked[i];
    entries.push({ vmId, probability: Number(ranked[i + 1]), etaAt: Number(etas[vmId]) });
  }
  return { incidentId, version: Number(version), entries };
}

/**
 * A VM's risk: its score in every live incident (the index's members whose version key still holds), read in one
 * MULTI so each incident's version, probability and ETA are of the same write.
 */
export async function readVmRisk(client: Redis, keys: RedisKeys, vmId: string): Promise<VmRisk | undefined> {
  const live = await client.zrange(liveScoresKey(keys), 0, -1);
  if (live.length === 0) return undefined;
  const read = client.multi();
  for (const incidentId of live) read.get(keys.scoreVersion(incidentId)).zscore(keys.scores(incidentId), vmId).hget(keys.etas(incidentId), vmId);
  const replies = unwrap(await read.exec()) as (string | null)[];
  const incidents: IncidentRisk[] = [];
  live.forEach((incidentId, i) => {
    const [version, probability, etaAt] = replies.slice(3 * i, 3 * i + 3);
    if (version !== null && probability !== null && etaAt !== null) incidents.push({ incidentId, version: Number(version), probability: Number(probability), etaAt: Number(etaAt) });
  });
  if (incidents.length === 0) return undefined;
  incidents.sort((a, b) => b.probability - a.probability || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0));
  return { vmId, maxProbability: incidents[0].probability, incidents };
}

/**
 * The hot scores on Redis, read only: what an operator's query needs without the state store's start-up work (no
 * script loading, no index migration). The first read connects.
 */
export class RedisRiskReadModel implements RiskReadModel {
  private readonly client: Redis;
  private readonly keys: RedisKeys;

  constructor(config: RedisStateStoreConfig) {
    this.client = redisClient(config);
    this.keys = new RedisKeys(config.keyPrefix);
  }

  async topIncidentScores(incidentId: string, limit: number): Promise<IncidentScores | undefined> {
    assertStoreId(incidentId, 'incidentId');
    assertPositiveInteger(limit, 'limit');
    return this.guard('topIncidentScores', () => readTopIncidentScores(this.client, this.keys, incidentId, limit));
  }

  async vmRisk(vmId: string): Promise<VmRisk | undefined> {
    assertStoreId(vmId, 'vmId');
    return this.guard('vmRisk', () => readVmRisk(this.client, this.keys, vmId));
  }

  /** Releases the connection; unusable afterwards. */
  close(): Promise<void> {
    return closeRedis(this.client);
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, `redis ${operation}`);
    }
  }
}
