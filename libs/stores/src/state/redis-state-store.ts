import type { Redis } from 'ioredis';
import { RESOURCE_KEYS, type Resources } from '@foresight/core';
import { StoreError } from '../store-error.js';
import { assertDocumentJson, assertNonNegative, assertNonNegativeInteger, assertPositiveInteger, assertStoreId, assertStoreResources, serialiseDocument } from '../store-input.js';
import { ADJUST_SCRIPT, COUNT_VM_HOLDING_SCRIPT, LEDGER_BATCH_SCRIPT, READ_HASHES_SCRIPT, RESERVE_SCRIPT, TAKE_QUOTA_SCRIPT } from './ledger-scripts.js';
import { LuaScript } from './lua-script.js';
import { toStoreError } from './redis-errors.js';
import { closeRedis, redisClient, unwrap, type RedisStateStoreConfig } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { RedisHotScoresWriter } from './redis-hot-scores.js';
import { readTopIncidentScores, readVmRisk } from './redis-risk-read-model.js';
import { assertIncidentScores, assertReleaseRequests, assertReserveRequest, matchesFilter } from './state-records.js';
import type {
  AdjustRejection, AdjustResult, DocumentStore, IdempotencyStore, IncidentScores, PoolLedger, Reservation, ReservationFilter, ReservationSequence, ReserveRejection,
  ReleaseRequest, ReserveRequest, ReserveResult, ScoreEntry, SequencedRelease, SequencedReserveResult, StateStore, VmRisk,
} from './state-store.js';

const reserveScript = new LuaScript(RESERVE_SCRIPT);
const ledgerBatchScript = new LuaScript(LEDGER_BATCH_SCRIPT);
const readHashesScript = new LuaScript(READ_HASHES_SCRIPT);
/** At most this many items per script call of the batch operations: bounds how long one call holds Redis. */
const BATCH_LIMIT = 256;
const POOL_FIELDS = ['cap:cpuMillis', 'cap:memoryMiB', 'cap:networkMbps', 'res:cpuMillis', 'res:memoryMiB', 'res:networkMbps'] as const;
const RESERVATION_FIELDS = ['state', 'hostId', 'vmId', 'incidentId', 'cpuMillis', 'memoryMiB', 'networkMbps', 'leaseExpiresAt'] as const;
const adjustScript = new LuaScript(ADJUST_SCRIPT);
const countVmHoldingScript = new LuaScript(COUNT_VM_HOLDING_SCRIPT);
const takeQuotaScript = new LuaScript(TAKE_QUOTA_SCRIPT);

export type { RedisStateStoreConfig } from './redis-connection.js';

/** The StateStore on Redis: ledger mutations are single Lua scripts, so independent allocators cannot over-commit. */
export class RedisStateStore implements StateStore {
  readonly idempotency: IdempotencyStore;
  readonly documents: DocumentStore;
  private readonly client: Redis;
  private readonly keys: RedisKeys;
  private readonly hotScores: RedisHotScoresWriter;

  constructor(config: RedisStateStoreConfig) {
    this.client = redisClient(config);
    this.keys = new RedisKeys(config.keyPrefix);
    this.hotScores = new RedisHotScoresWriter(this.client, this.keys);
    this.idempotency = {
      has: (key) => this.guard('has claim', async () => {
        assertStoreId(key, 'idempotency key');
        return (await this.client.exists(this.keys.claim(key))) === 1;
      }),
      claim: (key, ttlMs) => this.guard('claim', async () => {
        assertStoreId(key, 'idempotency key');
        assertPositiveInteger(ttlMs, 'ttlMs');
        return (await this.client.set(this.keys.claim(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
      }),
      // One MGET / one pipeline for the keys of a run of messages: a round trip per run instead of one per message.
      hasMany: (keys) => this.guard('has claims', async () => {
        if (keys.length === 0) return [];
        for (const key of keys) assertStoreId(key, 'idempotency key');
        return (await this.client.mget(keys.map((key) => this.keys.claim(key)))).map((value) => value !== null);
      }),
      claimMany: (keys, ttlMs) => this.guard('claims', async () => {
        if (keys.length === 0) return [];
        for (const key of keys) assertStoreId(key, 'idempotency key');
        assertPositiveInteger(ttlMs, 'ttlMs');
        const claims = this.client.pipeline();
        for (const key of keys) claims.set(this.keys.claim(key), '1', 'PX', ttlMs, 'NX');
        return (unwrap(await claims.exec()) as (string | null)[]).map((answer) => answer === 'OK');
      }),
      release: (key) => this.guard('release claim', async () => {
        assertStoreId(key, 'idempotency key');
        await this.client.del(this.keys.claim(key));
      }),
    };
    // One hash per kind: a document is written and read whole, so no script is needed.
    this.documents = {
      put: (kind, id, json) => this.guard('put document', async () => {
        assertStoreId(kind, 'document kind');
        assertStoreId(id, 'document id');
        assertDocumentJson(json, `document ${kind}/${id}`);
        await this.client.hset(this.keys.documents(kind), id, json);
      }),
      // One HSET of every field: Redis applies a command whole, so the documents are written all or none.
      putMany: (kind, documents) => this.guard('put documents', async () => {
        assertStoreId(kind, 'document kind');
        for (const { id, json } of documents) {
          assertStoreId(id, 'document id');
          assertDocumentJson(json, `document ${kind}/${id}`);
        }
        if (documents.length === 0) return;
        await this.client.hset(this.keys.documents(kind), ...documents.flatMap(({ id, json }) => [id, json]));
      }),
      // Serialised here, so not parsed again (serialiseDocument); one HSET, all or none, as putMany.
      putValues: (kind, documents) => this.guard('put documents', async () => {
        assertStoreId(kind, 'document kind');
        const fields: string[] = [];
        for (const { id, value } of documents) {
          assertStoreId(id, 'document id');
          fields.push(id, serialiseDocument(value, `document ${kind}/${id}`));
        }
        if (fields.length === 0) return;
        await this.client.hset(this.keys.documents(kind), ...fields);
      }),
      get: (kind, id) => this.guard('get document', async () => {
        assertStoreId(kind, 'document kind');
        assertStoreId(id, 'document id');
        return (await this.client.hget(this.keys.documents(kind), id)) ?? undefined;
      }),
      getMany: (kind, ids) => this.guard('get documents', async () => {
        assertStoreId(kind, 'document kind');
        for (const id of ids) assertStoreId(id, 'document id');
        if (ids.length === 0) return [];
        return (await this.client.hmget(this.keys.documents(kind), ...ids)).map((json) => json ?? undefined);
      }),
      list: (kind) => this.guard('list documents', async () => {
        assertStoreId(kind, 'document kind');
        const all = await this.client.hgetall(this.keys.documents(kind));
        return Object.keys(all).sort().map((id) => ({ id, json: all[id] }));
      }),
      delete: (kind, id) => this.guard('delete document', async () => {
        assertStoreId(kind, 'document kind');
        assertStoreId(id, 'document id');
        return (await this.client.hdel(this.keys.documents(kind), id)) === 1;
      }),
    };
  }

  async init(): Promise<void> {
    await this.guard('init', async () => {
      if (this.client.status === 'wait') await this.client.connect();
      await this.client.ping();
      await this.indexReservations();
      await this.countVmHoldings();
    });
  }

  /**
   * The per-incident and per-VM reservation indexes are kept by the reserve and release scripts; leases reserved by a
   * version without them are indexed once here (idempotent SADDs; the marker says it was done).
   */
  private async indexReservations(): Promise<void> {
    if ((await this.client.exists(this.keys.reservationIndexVersion())) === 1) return;
    const ids = await this.client.zrange(this.keys.leases(), 0, -1);
    if (ids.length > 0) {
      const read = this.client.pipeline();
      for (const id of ids) read.hmget(this.keys.command(id), 'state', 'incidentId', 'vmId');
      const rows = unwrap(await read.exec()) as (string | null)[][];
      const write = this.client.pipeline();
      ids.forEach((id, i) => {
        const [state, incidentId, vmId] = rows[i];
        if (state !== 'active' || incidentId === null || vmId === null) return;
        write.sadd(this.keys.incidentReservations(incidentId), id);
        write.sadd(this.keys.vmReservations(vmId), id);
      });
      unwrap(await write.exec());
    }
    await this.client.set(this.keys.reservationIndexVersion(), '1');
  }

  /**
   * VM holdings are kept by the ledger scripts; leases reserved by a version without them are counted once here (each
   * by an atomic script that marks the command, so a repeat or a concurrent init counts nothing twice).
   */
  private async countVmHoldings(): Promise<void> {
    if ((await this.client.exists(this.keys.vmHoldingsVersion())) === 1) return;
    const ids = await this.client.zrange(this.keys.leases(), 0, -1);
    const rows = ids.length === 0 ? [] : await this.readHashes(ids.map((id) => this.keys.command(id)), ['vmId']);
    // Each lease's script is atomic on its own: they go out together (one pipelined round trip).
    await Promise.all(ids.flatMap((id, i) => {
      const vmId = rows[i][0];
      return vmId === null ? [] : [countVmHoldingScript.run(this.client, [this.keys.command(id), this.keys.vmHoldings(vmId)], [])];
    }));
    await this.client.set(this.keys.vmHoldingsVersion(), '1');
  }

  async putIncidentScores(incidentId: string, version: number, entries: readonly ScoreEntry[], ttlMs: number): Promise<boolean> {
    assertIncidentScores(incidentId, version, entries, ttlMs);
    // The puts of one tick share one script call (RedisHotScoresWriter).
    return this.guard('putIncidentScores', () => this.hotScores.put(incidentId, version, entries, ttlMs));
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

  async setHostCapacity(hostId: string, capacity: Resources): Promise<void> {
    assertStoreId(hostId, 'hostId');
    assertStoreResources(capacity, `host ${hostId} capacity`);
    await this.guard('setHostCapacity', () => this.client.hset(this.keys.host(hostId), capacityFields(capacity)));
  }

  async setBudget(budget: Resources): Promise<void> {
    assertStoreResources(budget, 'budget');
    await this.guard('setBudget', () => this.client.hset(this.keys.budget(), capacityFields(budget)));
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    assertReserveRequest(request);
    const r = request.resources;
    const reply = await this.guard('reserve', () => reserveScript.run(
      this.client,
      [
        this.keys.host(request.hostId), this.keys.budget(), this.keys.command(request.commandId), this.keys.leases(),
        this.keys.incidentReservations(request.incidentId), this.keys.vmReservations(request.vmId), this.keys.vmHoldings(request.vmId),
      ],
      [request.commandId, request.hostId, request.vmId, request.incidentId, String(r.cpuMillis), String(r.memoryMiB), String(r.networkMbps), String(request.leaseExpiresAt), ...capArgs(request.vmCap)],
    ));
    return reserveResultOf(reply, request.commandId);
  }

  async reserveMany(requests: readonly ReserveRequest[]): Promise<ReserveResult[]> {
    return (await this.reserveManySequenced(requests)).map(({ sequence: _, ...result }) => result);
  }

  async reserveManySequenced(requests: readonly ReserveRequest[]): Promise<SequencedReserveResult[]> {
    for (const request of requests) assertReserveRequest(request);
    const results: SequencedReserveResult[] = [];
    // NOTE: chunks run one after another on one connection, so the whole stays in order (atomic per chunk).
    for (let i = 0; i < requests.length; i += BATCH_LIMIT) {
      const chunk = requests.slice(i, i + BATCH_LIMIT);
      const replies = await this.guard('reserveMany', () => this.ledgerBatch([], chunk));
      chunk.forEach((q, k) => results.push(reservedOf(replies, k, q.commandId)));
    }
    return results;
  }

  async releaseAndReserve(releases: readonly ReleaseRequest[], reserves: readonly ReserveRequest[]): Promise<{ released: SequencedRelease[]; reserved: SequencedReserveResult[] }> {
    assertReleaseRequests(releases);
    for (const request of reserves) assertReserveRequest(request);
    if (releases.length === 0 || reserves.length === 0 || releases.length + reserves.length > BATCH_LIMIT || !releases.every(isNamed)) {
      const released = await this.guard('releaseMany', () => this.releaseAll(releases));
      return { released, reserved: await this.reserveManySequenced(reserves) };
    }
    return this.guard('releaseAndReserve', async () => {
      const replies = await this.ledgerBatch(releases, reserves);
      const released: SequencedRelease[] = releases.map(() => ({ released: false, sequence: {} }));
      const stale = releases.flatMap((r, i) => (collectRelease(replies, i, r.commandId, released) ? [] : [i]));
      if (stale.length === 0) return { released, reserved: reserves.map((q, k) => reservedOf(replies, releases.length + k, q.commandId)) };
      // A release named keys that are not its command's: the script ran the others and no reserve; the stale ones are
      // released by their own keys, then the reserves run (every release still before every reserve).
      await this.releaseStale(releases, stale, released);
      return { released, reserved: await this.reserveManySequenced(reserves) };
    });
  }

  async release(commandId: string): Promise<boolean> {
    assertStoreId(commandId, 'commandId');
    return this.guard('release', async () => (await this.releaseAll([{ commandId }]))[0].released);
  }

  async releaseMany(commandIds: readonly string[]): Promise<boolean[]> {
    for (const commandId of commandIds) assertStoreId(commandId, 'commandId');
    return this.guard('releaseMany', async () => (await this.releaseAll(commandIds.map((commandId) => ({ commandId })))).map((r) => r.released));
  }

  async releaseManySequenced(requests: readonly ReleaseRequest[]): Promise<SequencedRelease[]> {
    assertReleaseRequests(requests);
    return this.guard('releaseMany', () => this.releaseAll(requests));
  }

  async adjust(commandId: string, resources: Resources, leaseExpiresAt?: number, vmCap?: Resources): Promise<AdjustResult> {
    assertStoreId(commandId, 'commandId');
    assertStoreResources(resources, `adjust ${commandId} resources`);
    if (leaseExpiresAt !== undefined) assertNonNegative(leaseExpiresAt, `adjust ${commandId} leaseExpiresAt`);
    if (vmCap !== undefined) assertStoreResources(vmCap, `adjust ${commandId} vmCap`);
    const reply = await this.guard('adjust', async () => {
      // NOTE: a command's hostId and vmId never change once written, so reading them before the script cannot race.
      const [hostId, vmId] = await this.client.hmget(this.keys.command(commandId), 'hostId', 'vmId');
      if (hostId === null || vmId === null) return 'UNKNOWN_RESERVATION';
      return adjustScript.run(
        this.client,
        [this.keys.command(commandId), this.keys.host(hostId), this.keys.budget(), this.keys.leases(), this.keys.vmHoldings(vmId)],
        [commandId, String(resources.cpuMillis), String(resources.memoryMiB), String(resources.networkMbps), leaseExpiresAt === undefined ? '' : String(leaseExpiresAt), ...capArgs(vmCap)],
      );
    });
    if (reply === 'OK') return { ok: true };
    if (reply === 'UNKNOWN_RESERVATION' || reply === 'INSUFFICIENT_CAPACITY' || reply === 'BUDGET_EXCEEDED' || reply === 'VM_CAP_EXCEEDED') return { ok: false, reason: reply satisfies AdjustRejection };
    throw new StoreError('STORE_FAILURE', `adjust ${commandId}: unexpected script reply ${reply}`);
  }

  async expireLeases(now: number): Promise<readonly string[]> {
    assertNonNegative(now, 'now');
    return this.guard('expireLeases', async () => {
      const due = await this.client.zrangebyscore(this.keys.leases(), '-inf', String(now));
      // Each release is atomic; a concurrent expirer or release simply loses the race for that lease.
      const released = await this.releaseAll(due.map((commandId) => ({ commandId })));
      return due.filter((_, i) => released[i].released).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    });
  }

  async activeReservations(filter: ReservationFilter = {}): Promise<readonly Reservation[]> {
    return this.guard('activeReservations', async () => {
      // NOTE: a filter by incident or VM reads that index only (reserve and release keep them), not every lease.
      const ids = filter.incidentId !== undefined ? await this.client.smembers(this.keys.incidentReservations(filter.incidentId))
        : filter.vmId !== undefined ? await this.client.smembers(this.keys.vmReservations(filter.vmId))
          : filter.vmIds !== undefined ? (filter.vmIds.length === 0 ? [] : await this.client.sunion(...filter.vmIds.map((v) => this.keys.vmReservations(v))))
            : filter.expiringBy !== undefined ? await this.client.zrangebyscore(this.keys.leases(), '-inf', String(filter.expiringBy))
              : await this.client.zrange(this.keys.leases(), 0, -1);
      if (ids.length === 0) return [];
      const records = await this.readHashes(ids.map((id) => this.keys.command(id)), RESERVATION_FIELDS);
      const out: Reservation[] = [];
      ids.forEach((commandId, i) => {
        const [state, hostId, vmId, incidentId, cpuMillis, memoryMiB, networkMbps, leaseExpiresAt] = records[i];
        if (state !== 'active') return;
        const reservation: Reservation = {
          commandId, hostId: hostId ?? '', vmId: vmId ?? '', incidentId: incidentId ?? '',
          resources: { cpuMillis: Number(cpuMillis), memoryMiB: Number(memoryMiB), networkMbps: Number(networkMbps) },
          leaseExpiresAt: Number(leaseExpiresAt),
        };
        if (matchesFilter(reservation, filter)) out.push(reservation);
      });
      return out.sort((a, b) => (a.commandId < b.commandId ? -1 : a.commandId > b.commandId ? 1 : 0));
    });
  }

  async takeQuota(key: string, count: number, limit: number, ttlMs: number): Promise<number> {
    assertStoreId(key, 'quota key');
    assertNonNegativeInteger(count, 'count');
    assertNonNegativeInteger(limit, 'limit');
    assertPositiveInteger(ttlMs, 'ttlMs');
    if (count === 0) return 0;
    return this.guard('takeQuota', async () => Number(await takeQuotaScript.run(this.client, [this.keys.quota(key)], [String(count), String(limit), String(ttlMs)])));
  }

  async quotasUsed(keys: readonly string[]): Promise<number[]> {
    for (const key of keys) assertStoreId(key, 'quota key');
    if (keys.length === 0) return [];
    return this.guard('quotasUsed', async () => (await this.client.mget(...keys.map((key) => this.keys.quota(key)))).map((v) => Number(v ?? '0')));
  }

  async countActiveReservations(): Promise<number> {
    // The leases set holds exactly the active reservations (reserve adds on OK, release removes).
    return this.guard('countActiveReservations', () => this.client.zcard(this.keys.leases()));
  }

  async hostSequences(commandIds: readonly string[]): Promise<ReservationSequence[]> {
    for (const id of commandIds) assertStoreId(id, 'commandId');
    if (commandIds.length === 0) return [];
    const rows = await this.guard('hostSequences', () => this.readHashes(commandIds.map((id) => this.keys.command(id)), ['seq', 'relseq']));
    return rows.map(([changed, released]) => ({
      ...(changed === null || changed === undefined ? {} : { changed: Number(changed) }),
      ...(released === null || released === undefined ? {} : { released: Number(released) }),
    }));
  }

  async hostLedger(hostId: string): Promise<PoolLedger | undefined> {
    assertStoreId(hostId, 'hostId');
    return this.guard('hostLedger', () => this.readPool(this.keys.host(hostId)));
  }

  async hostLedgers(hostIds: readonly string[]): Promise<(PoolLedger | undefined)[]> {
    for (const hostId of hostIds) assertStoreId(hostId, 'hostId');
    if (hostIds.length === 0) return [];
    const pools = await this.guard('hostLedgers', () => this.readHashes(hostIds.map((hostId) => this.keys.host(hostId)), POOL_FIELDS));
    return pools.map(poolLedgerOf);
  }

  async budget(): Promise<PoolLedger> {
    return this.guard('budget', async () => (await this.readPool(this.keys.budget())) ?? ledger([0, 0, 0, 0, 0, 0]));
  }

  /** Deletes every key under this store's prefix (test teardown); not part of the port. */
  async dropPrefix(): Promise<void> {
    await this.guard('dropPrefix', async () => {
      let cursor = '0';
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', this.keys.pattern(), 'COUNT', 1000);
        if (keys.length > 0) await this.client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }

  /**
   * Releases each command (released: '1'), in order, with its sequence after. The script needs each command's hostId,
   * incidentId and vmId (its keys): those a request does not name are read first (they never change once written). The
   * script checks named ones against the command's record and changes nothing when they differ ('STALE'): those are
   * read and released after the others. A command never reserved releases nothing and has no sequence.
   */
  private async releaseAll(requests: readonly ReleaseRequest[]): Promise<SequencedRelease[]> {
    const out: SequencedRelease[] = requests.map(() => ({ released: false, sequence: {} }));
    const unnamed = requests.flatMap((r, i) => (isNamed(r) ? [] : [i]));
    const named = unnamed.length === 0 ? requests : await this.withKeysRead(requests, unnamed);
    const stale = await this.releaseNamed(named, out);
    if (stale.length > 0) await this.releaseStale(named, stale, out);
    return out;
  }

  /** Releases requests[i] for i in `stale` (named with keys not their command's) by the keys their records name. */
  private async releaseStale(requests: readonly ReleaseRequest[], stale: readonly number[], out: SequencedRelease[]): Promise<void> {
    const reread = await this.withKeysRead(requests, stale);
    if ((await this.releaseNamed(reread, out, new Set(stale))).length > 0) throw new StoreError('STORE_FAILURE', 'release: a command record changed while being released');
  }

  /** The requests with hostId, incidentId and vmId read from the records of those at `indexes` (undefined: no record). */
  private async withKeysRead(requests: readonly ReleaseRequest[], indexes: readonly number[]): Promise<ReleaseRequest[]> {
    const fields = await this.readHashes(indexes.map((i) => this.keys.command(requests[i].commandId)), ['hostId', 'incidentId', 'vmId']);
    const next = [...requests];
    indexes.forEach((i, k) => {
      const [hostId, incidentId, vmId] = fields[k];
      next[i] = { commandId: requests[i].commandId, ...(hostId === null ? {} : { hostId }), ...(incidentId === null ? {} : { incidentId }), ...(vmId === null ? {} : { vmId }) };
    });
    return next;
  }

  /**
   * Runs the release script, in order, a chunk per call, over the requests that name their keys (and, when `only` is
   * given, are in it); writes each outcome to out. Returns the indexes the script found STALE.
   */
  private async releaseNamed(requests: readonly ReleaseRequest[], out: SequencedRelease[], only?: ReadonlySet<number>): Promise<number[]> {
    const indexes = requests.flatMap((r, i) => (isNamed(r) && (only === undefined || only.has(i)) ? [i] : []));
    const stale: number[] = [];
    for (let c = 0; c < indexes.length; c += BATCH_LIMIT) {
      const chunk = indexes.slice(c, c + BATCH_LIMIT);
      const replies = await this.ledgerBatch(chunk.map((i) => requests[i]), []);
      chunk.forEach((i, k) => {
        if (!collectRelease(replies, k, requests[i].commandId, out, i)) stale.push(i);
      });
    }
    return stale;
  }

  /**
   * One LEDGER_BATCH_SCRIPT call: the releases (each naming its keys), then the reserves; the script's flat replies,
   * three per item (none for the reserves when a release was STALE).
   */
  private ledgerBatch(releases: readonly ReleaseRequest[], reserves: readonly ReserveRequest[]): Promise<(string | null)[]> {
    const keys = [this.keys.budget(), this.keys.leases()];
    const args: string[] = [String(releases.length)];
    for (const { commandId, hostId = '', incidentId = '', vmId = '' } of releases) {
      keys.push(this.keys.command(commandId), this.keys.host(hostId), this.keys.incidentReservations(incidentId), this.keys.vmReservations(vmId), this.keys.vmHoldings(vmId));
      args.push(commandId, hostId, incidentId, vmId);
    }
    for (const q of reserves) {
      keys.push(this.keys.host(q.hostId), this.keys.command(q.commandId), this.keys.incidentReservations(q.incidentId), this.keys.vmReservations(q.vmId), this.keys.vmHoldings(q.vmId));
      const r = q.resources;
      args.push(q.commandId, q.hostId, q.vmId, q.incidentId, String(r.cpuMillis), String(r.memoryMiB), String(r.networkMbps), String(q.leaseExpiresAt), ...capArgs(q.vmCap));
    }
    return ledgerBatchScript.runArray(this.client, keys, args);
  }

  /** The given fields of each hash, one script call per BATCH_LIMIT hashes (null: missing). */
  private async readHashes(keys: readonly string[], fields: readonly string[]): Promise<(string | null)[][]> {
    const out: (string | null)[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
      const chunk = keys.slice(i, i + BATCH_LIMIT);
      const flat = await readHashesScript.runArray(this.client, chunk, fields);
      for (let k = 0; k < chunk.length; k++) out.push(flat.slice(k * fields.length, (k + 1) * fields.length).map((v) => v ?? null));
    }
    return out;
  }

  private async readPool(key: string): Promise<PoolLedger | undefined> {
    return poolLedgerOf(await this.client.hmget(key, ...POOL_FIELDS));
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, `redis ${operation}`);
    }
  }
}

function reserveResultOf(reply: string | null | undefined, commandId: string): ReserveResult {
  if (reply === 'OK') return { ok: true };
  if (reply === 'UNKNOWN_HOST' || reply === 'INSUFFICIENT_CAPACITY' || reply === 'BUDGET_EXCEEDED' || reply === 'VM_CAP_EXCEEDED') return { ok: false, reason: reply satisfies ReserveRejection };
  throw new StoreError('STORE_FAILURE', `reserve ${commandId}: unexpected script reply ${String(reply)}`);
}

/** The reserve at item `k` of a ledger batch's replies. */
function reservedOf(replies: readonly (string | null)[], k: number, commandId: string): SequencedReserveResult {
  return { ...reserveResultOf(replies[3 * k], commandId), sequence: sequenceOf(replies[3 * k + 1], replies[3 * k + 2]) };
}

/** Writes the release at item `k` of a ledger batch's replies to out[at] (default k); false (nothing written) when STALE. */
function collectRelease(replies: readonly (string | null)[], k: number, commandId: string, out: SequencedRelease[], at = k): boolean {
  const reply = replies[3 * k];
  if (reply === 'STALE') return false;
  if (reply !== '1' && reply !== '0') throw new StoreError('STORE_FAILURE', `release ${commandId}: unexpected script reply ${String(reply)}`);
  out[at] = { released: reply === '1', sequence: sequenceOf(replies[3 * k + 1], replies[3 * k + 2]) };
  return true;
}

/** True when a release names every key it touches. */
function isNamed(r: ReleaseRequest): boolean {
  return r.hostId !== undefined && r.incidentId !== undefined && r.vmId !== undefined;
}

/** A command's seq and relseq replies (null: none) as its sequence. */
function sequenceOf(changed: string | null | undefined, released: string | null | undefined): ReservationSequence {
  return {
    ...(changed === null || changed === undefined ? {} : { changed: Number(changed) }),
    ...(released === null || released === undefined ? {} : { released: Number(released) }),
  };
}

/** A pool hash's fields (POOL_FIELDS order) as a ledger; undefined when it has no capacity. */
function poolLedgerOf(v: readonly (string | null)[]): PoolLedger | undefined {
  if (v[0] === null || v[0] === undefined) return undefined;
  return ledger(v.map((x) => (x === null ? 0 : Number(x))));
}

function capacityFields(r: Resources): Record<string, string> {
  return Object.fromEntries(RESOURCE_KEYS.map((k) => [`cap:${k}`, String(r[k])]));
}

function ledger(v: readonly number[]): PoolLedger {
  const capacity = { cpuMillis: v[0], memoryMiB: v[1], networkMbps: v[2] };
  const reserved = { cpuMillis: v[3], memoryMiB: v[4], networkMbps: v[5] };
  return {
    capacity,
    reserved,
    free: {
      cpuMillis: Math.max(0, capacity.cpuMillis - reserved.cpuMillis),
      memoryMiB: Math.max(0, capacity.memoryMiB - reserved.memoryMiB),
      networkMbps: Math.max(0, capacity.networkMbps - reserved.networkMbps),
    },
  };
}

/** A VM cap as script arguments: its three amounts, or three empty strings for none. */
function capArgs(vmCap: Resources | undefined): string[] {
  return vmCap === undefined ? ['', '', ''] : [String(vmCap.cpuMillis), String(vmCap.memoryMiB), String(vmCap.networkMbps)];
}
