import { RESOURCE_KEYS, ZERO_RESOURCES, type Resources } from '@foresight/core';
import { StoreError } from '../store-error.js';
import { assertDocumentJson, assertNonNegative, assertNonNegativeInteger, assertPositiveInteger, assertStoreId, assertStoreResources, serialiseDocument } from '../store-input.js';
import { LEDGER_EPSILON, assertIncidentScores, assertReleaseRequests, assertReserveRequest, compareScoresDescending, matchesFilter } from './state-records.js';
import type {
  AdjustResult, DocumentStore, IdempotencyStore, IncidentRisk, IncidentScores, PoolLedger, Reservation, ReservationFilter, ReservationSequence, ReserveRejection, ReserveRequest, ReserveResult,
  ReleaseRequest, ScoreEntry, SequencedRelease, SequencedReserveResult, StateStore, VmRisk,
} from './state-store.js';

/** Options of the in-memory state store. */
export interface InMemoryStateStoreOptions {
  /** Wall clock for score and idempotency-key TTLs only (never for leases); Date.now by default. */
  readonly clock?: () => number;
}

/** `seq`: a host's last change number (see ReservationSequence). */
interface Pool { capacity: Resources; reserved: Resources; seq?: number }
interface Command { readonly result: ReserveResult; state: 'active' | 'released' | 'rejected'; reservation: Reservation; seq?: number; relseq?: number }
interface Scored { readonly version: number; readonly expiresAt: number; readonly entries: readonly ScoreEntry[] }

/** The embedded StateStore: the Redis adapter's semantics in one process (single-threaded, so every call is atomic). */
export class InMemoryStateStore implements StateStore {
  readonly idempotency: IdempotencyStore;
  private readonly clock: () => number;
  private readonly hosts = new Map<string, Pool>();
  private readonly budgetPool: Pool = { capacity: ZERO_RESOURCES, reserved: ZERO_RESOURCES };
  /** What each VM's active reservations hold in all (capacity unused: a cap comes with each call). */
  private readonly vmHeld = new Map<string, Pool>();
  private readonly commands = new Map<string, Command>();
  private readonly scores = new Map<string, Scored>();
  private readonly claims = new Map<string, number>();
  private readonly quotas = new Map<string, { used: number; expiresAt: number }>();
  private readonly documentsByKind = new Map<string, Map<string, string>>();
  readonly documents: DocumentStore = {
    put: (kind, id, json) => this.run(() => {
      assertStoreId(kind, 'document kind');
      assertStoreId(id, 'document id');
      assertDocumentJson(json, `document ${kind}/${id}`);
      let docs = this.documentsByKind.get(kind);
      if (docs === undefined) this.documentsByKind.set(kind, (docs = new Map<string, string>()));
      docs.set(id, json);
    }),
    putMany: (kind, documents) => this.run(() => {
      assertStoreId(kind, 'document kind');
      for (const { id, json } of documents) {
        assertStoreId(id, 'document id');
        assertDocumentJson(json, `document ${kind}/${id}`);
      }
      let docs = this.documentsByKind.get(kind);
      if (docs === undefined) this.documentsByKind.set(kind, (docs = new Map<string, string>()));
      for (const { id, json } of documents) docs.set(id, json);
    }),
    putValues: (kind, documents) => this.run(() => {
      assertStoreId(kind, 'document kind');
      const serialised = documents.map(({ id, value }) => {
        assertStoreId(id, 'document id');
        return { id, json: serialiseDocument(value, `document ${kind}/${id}`) };
      });
      let docs = this.documentsByKind.get(kind);
      if (docs === undefined) this.documentsByKind.set(kind, (docs = new Map<string, string>()));
      for (const { id, json } of serialised) docs.set(id, json);
    }),
    get: (kind, id) => this.run(() => {
      assertStoreId(kind, 'document kind');
      assertStoreId(id, 'document id');
      return this.documentsByKind.get(kind)?.get(id);
    }),
    getMany: (kind, ids) => this.run(() => {
      assertStoreId(kind, 'document kind');
      for (const id of ids) assertStoreId(id, 'document id');
      const docs = this.documentsByKind.get(kind);
      return ids.map((id) => docs?.get(id));
    }),
    list: (kind) => this.run(() => {
      assertStoreId(kind, 'document kind');
      const docs = this.documentsByKind.get(kind) ?? new Map<string, string>();
      return [...docs.keys()].sort(byCodeUnit).map((id) => ({ id, json: docs.get(id) as string }));
    }),
    delete: (kind, id) => this.run(() => {
      assertStoreId(kind, 'document kind');
      assertStoreId(id, 'document id');
      return this.documentsByKind.get(kind)?.delete(id) ?? false;
    }),
  };
  private closed = false;

  constructor(options: InMemoryStateStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.idempotency = {
      has: (key) => this.run(() => {
        assertStoreId(key, 'idempotency key');
        return (this.claims.get(key) ?? Number.NEGATIVE_INFINITY) > this.clock();
      }),
      claim: (key, ttlMs) => this.run(() => {
        assertStoreId(key, 'idempotency key');
        assertPositiveInteger(ttlMs, 'ttlMs');
        const until = this.claims.get(key);
        if (until !== undefined && until > this.clock()) return false;
        this.claims.set(key, this.clock() + ttlMs);
        return true;
      }),
      release: (key) => this.run(() => {
        assertStoreId(key, 'idempotency key');
        this.claims.delete(key);
      }),
    };
  }

  init(): Promise<void> {
    return this.run(() => undefined);
  }

  putIncidentScores(incidentId: string, version: number, entries: readonly ScoreEntry[], ttlMs: number): Promise<boolean> {
    return this.run(() => {
      assertIncidentScores(incidentId, version, entries, ttlMs);
      const current = this.liveScores(incidentId);
      if (current !== undefined && current.version >= version) return false;
      this.scores.set(incidentId, {
        version,
        expiresAt: this.clock() + ttlMs,
        entries: entries.map((e) => ({ vmId: e.vmId, probability: e.probability, etaAt: e.etaAt })).sort(compareScoresDescending),
      });
      return true;
    });
  }

  topIncidentScores(incidentId: string, limit: number): Promise<IncidentScores | undefined> {
    return this.run(() => {
      assertStoreId(incidentId, 'incidentId');
      assertPositiveInteger(limit, 'limit');
      const current = this.liveScores(incidentId);
      return current === undefined ? undefined : { incidentId, version: current.version, entries: current.entries.slice(0, limit).map((e) => ({ ...e })) };
    });
  }

  vmRisk(vmId: string): Promise<VmRisk | undefined> {
    return this.run(() => {
      assertStoreId(vmId, 'vmId');
      const incidents: IncidentRisk[] = [];
      for (const incidentId of [...this.scores.keys()]) {
        const live = this.liveScores(incidentId);
        const entry = live?.entries.find((e) => e.vmId === vmId);
        if (live !== undefined && entry !== undefined) incidents.push({ incidentId, version: live.version, probability: entry.probability, etaAt: entry.etaAt });
      }
      if (incidents.length === 0) return undefined;
      incidents.sort((a, b) => b.probability - a.probability || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0));
      return { vmId, maxProbability: incidents[0].probability, incidents };
    });
  }

  setHostCapacity(hostId: string, capacity: Resources): Promise<void> {
    return this.run(() => {
      assertStoreId(hostId, 'hostId');
      assertStoreResources(capacity, `host ${hostId} capacity`);
      const pool = this.hosts.get(hostId);
      if (pool === undefined) this.hosts.set(hostId, { capacity: { ...capacity }, reserved: ZERO_RESOURCES });
      else pool.capacity = { ...capacity };
    });
  }

  setBudget(budget: Resources): Promise<void> {
    return this.run(() => {
      assertStoreResources(budget, 'budget');
      this.budgetPool.capacity = { ...budget };
    });
  }

  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.run(() => {
      assertReserveRequest(request);
      return this.reserveNow(request);
    });
  }

  reserveMany(requests: readonly ReserveRequest[]): Promise<ReserveResult[]> {
    return this.run(() => {
      for (const request of requests) assertReserveRequest(request);
      return requests.map((request) => this.reserveNow(request));
    });
  }

  reserveManySequenced(requests: readonly ReserveRequest[]): Promise<SequencedReserveResult[]> {
    return this.run(() => {
      for (const request of requests) assertReserveRequest(request);
      return requests.map((request) => ({ ...this.reserveNow(request), sequence: this.sequenceOf(request.commandId) }));
    });
  }

  release(commandId: string): Promise<boolean> {
    return this.run(() => {
      assertStoreId(commandId, 'commandId');
      return this.releaseNow(commandId);
    });
  }

  releaseMany(commandIds: readonly string[]): Promise<boolean[]> {
    return this.run(() => {
      for (const commandId of commandIds) assertStoreId(commandId, 'commandId');
      return commandIds.map((commandId) => this.releaseNow(commandId));
    });
  }

  releaseManySequenced(requests: readonly ReleaseRequest[]): Promise<SequencedRelease[]> {
    return this.run(() => {
      assertReleaseRequests(requests);
      // The named keys are only a hint to the Redis adapter (it checks them); this store needs none.
      return requests.map(({ commandId }) => ({ released: this.releaseNow(commandId), sequence: this.sequenceOf(commandId) }));
    });
  }

  releaseAndReserve(releases: readonly ReleaseRequest[], reserves: readonly ReserveRequest[]): Promise<{ released: SequencedRelease[]; reserved: SequencedReserveResult[] }> {
    return this.run(() => {
      assertReleaseRequests(releases);
      for (const request of reserves) assertReserveRequest(request);
      const released = releases.map(({ commandId }) => ({ released: this.releaseNow(commandId), sequence: this.sequenceOf(commandId) }));
      return { released, reserved: reserves.map((request) => ({ ...this.reserveNow(request), sequence: this.sequenceOf(request.commandId) })) };
    });
  }

  adjust(commandId: string, resources: Resources, leaseExpiresAt?: number, vmCap?: Resources): Promise<AdjustResult> {
    return this.run((): AdjustResult => {
      assertStoreId(commandId, 'commandId');
      assertStoreResources(resources, `adjust ${commandId} resources`);
      if (leaseExpiresAt !== undefined) assertNonNegative(leaseExpiresAt, `adjust ${commandId} leaseExpiresAt`);
      if (vmCap !== undefined) assertStoreResources(vmCap, `adjust ${commandId} vmCap`);
      const command = this.commands.get(commandId);
      const host = command === undefined ? undefined : this.hosts.get(command.reservation.hostId);
      if (command?.state !== 'active' || host === undefined) return { ok: false, reason: 'UNKNOWN_RESERVATION' };
      const delta = growth(command.reservation.resources, resources);
      if (!fits(host, delta)) return { ok: false, reason: 'INSUFFICIENT_CAPACITY' };
      if (!fits(this.budgetPool, delta)) return { ok: false, reason: 'BUDGET_EXCEEDED' };
      const held = this.vmHoldings(command.reservation.vmId);
      if (vmCap !== undefined && !fits({ capacity: vmCap, reserved: held.reserved }, delta)) return { ok: false, reason: 'VM_CAP_EXCEEDED' };
      rebook(host, command.reservation.resources, resources);
      rebook(this.budgetPool, command.reservation.resources, resources);
      rebook(held, command.reservation.resources, resources);
      command.reservation = { ...command.reservation, resources: { ...resources }, leaseExpiresAt: leaseExpiresAt ?? command.reservation.leaseExpiresAt };
      command.seq = nextSequence(host);
      return { ok: true };
    });
  }

  expireLeases(now: number): Promise<readonly string[]> {
    return this.run(() => {
      assertNonNegative(now, 'now');
      const due = [...this.commands].filter(([, c]) => c.state === 'active' && c.reservation.leaseExpiresAt <= now).map(([id]) => id);
      return due.filter((id) => this.releaseNow(id)).sort(byCodeUnit);
    });
  }

  activeReservations(filter: ReservationFilter = {}): Promise<readonly Reservation[]> {
    const vmIds = filter.vmIds === undefined ? undefined : new Set(filter.vmIds);
    return this.run(() => [...this.commands.values()]
      .filter((c) => vmIds === undefined || vmIds.has(c.reservation.vmId))
      .filter((c) => c.state === 'active' && matchesFilter(c.reservation, filter))
      .map((c) => ({ ...c.reservation, resources: { ...c.reservation.resources } }))
      .sort((a, b) => byCodeUnit(a.commandId, b.commandId)));
  }

  takeQuota(key: string, count: number, limit: number, ttlMs: number): Promise<number> {
    return this.run(() => {
      assertStoreId(key, 'quota key');
      assertNonNegativeInteger(count, 'count');
      assertNonNegativeInteger(limit, 'limit');
      assertPositiveInteger(ttlMs, 'ttlMs');
      if (count === 0) return 0;
      const now = this.clock();
      const used = this.quotaUsed(key, now);
      const n = Math.min(count, Math.max(0, limit - used));
      if (n > 0) this.quotas.set(key, { used: used + n, expiresAt: used === 0 ? now + ttlMs : (this.quotas.get(key) as { expiresAt: number }).expiresAt });
      return n;
    });
  }

  quotasUsed(keys: readonly string[]): Promise<number[]> {
    return this.run(() => {
      for (const key of keys) assertStoreId(key, 'quota key');
      const now = this.clock();
      return keys.map((key) => this.quotaUsed(key, now));
    });
  }

  /** Units a window has taken at `now` (0 once it expired). */
  private quotaUsed(key: string, now: number): number {
    const window = this.quotas.get(key);
    return window !== undefined && window.expiresAt > now ? window.used : 0;
  }

  countActiveReservations(): Promise<number> {
    return this.run(() => [...this.commands.values()].filter((c) => c.state === 'active').length);
  }

  hostSequences(commandIds: readonly string[]): Promise<ReservationSequence[]> {
    return this.run(() => commandIds.map((id) => {
      assertStoreId(id, 'commandId');
      return this.sequenceOf(id);
    }));
  }

  hostLedger(hostId: string): Promise<PoolLedger | undefined> {
    return this.run(() => {
      assertStoreId(hostId, 'hostId');
      const host = this.hosts.get(hostId);
      return host === undefined ? undefined : ledgerOf(host);
    });
  }

  hostLedgers(hostIds: readonly string[]): Promise<(PoolLedger | undefined)[]> {
    return this.run(() => {
      for (const hostId of hostIds) assertStoreId(hostId, 'hostId');
      return hostIds.map((hostId) => {
        const host = this.hosts.get(hostId);
        return host === undefined ? undefined : ledgerOf(host);
      });
    });
  }

  budget(): Promise<PoolLedger> {
    return this.run(() => ledgerOf(this.budgetPool));
  }

  /**
   * Forgets everything, as a Redis restarted without persistence does (adapter only, like RedisStateStore.dropPrefix):
   * for tests of recovery from a lost state store.
   */
  wipe(): void {
    for (const map of [this.hosts, this.vmHeld, this.commands, this.scores, this.claims, this.quotas, this.documentsByKind]) map.clear();
    this.budgetPool.capacity = ZERO_RESOURCES;
    this.budgetPool.reserved = ZERO_RESOURCES;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private reserveNow(request: ReserveRequest): ReserveResult {
    const prior = this.commands.get(request.commandId);
    if (prior !== undefined) return prior.result;
    const { vmCap, ...fields } = request;
    const reservation: Reservation = { ...fields, resources: { ...request.resources } };
    const host = this.hosts.get(request.hostId);
    const reason: ReserveRejection | undefined = host === undefined ? 'UNKNOWN_HOST'
      : !fits(host, request.resources) ? 'INSUFFICIENT_CAPACITY'
        : !fits(this.budgetPool, request.resources) ? 'BUDGET_EXCEEDED'
          : vmCap !== undefined && !fits({ capacity: vmCap, reserved: this.vmHoldings(request.vmId).reserved }, request.resources) ? 'VM_CAP_EXCEEDED' : undefined;
    if (reason !== undefined || host === undefined) {
      const result: ReserveResult = { ok: false, reason: reason ?? 'UNKNOWN_HOST' };
      this.commands.set(request.commandId, { result, state: 'rejected', reservation });
      return result;
    }
    debit(host, request.resources);
    debit(this.budgetPool, request.resources);
    rebook(this.vmHoldings(request.vmId), ZERO_RESOURCES, request.resources);
    const result: ReserveResult = { ok: true };
    this.commands.set(request.commandId, { result, state: 'active', reservation, seq: nextSequence(host) });
    return result;
  }

  private releaseNow(commandId: string): boolean {
    const command = this.commands.get(commandId);
    const host = command === undefined ? undefined : this.hosts.get(command.reservation.hostId);
    if (command?.state !== 'active' || host === undefined) return false;
    rebook(host, command.reservation.resources, ZERO_RESOURCES);
    rebook(this.budgetPool, command.reservation.resources, ZERO_RESOURCES);
    rebook(this.vmHoldings(command.reservation.vmId), command.reservation.resources, ZERO_RESOURCES);
    command.state = 'released';
    command.relseq = nextSequence(host);
    return true;
  }

  private sequenceOf(commandId: string): ReservationSequence {
    const c = this.commands.get(commandId);
    return { ...(c?.seq === undefined ? {} : { changed: c.seq }), ...(c?.relseq === undefined ? {} : { released: c.relseq }) };
  }

  private vmHoldings(vmId: string): Pool {
    let held = this.vmHeld.get(vmId);
    if (held === undefined) this.vmHeld.set(vmId, (held = { capacity: ZERO_RESOURCES, reserved: ZERO_RESOURCES }));
    return held;
  }

  private liveScores(incidentId: string): Scored | undefined {
    const current = this.scores.get(incidentId);
    if (current === undefined || current.expiresAt > this.clock()) return current;
    this.scores.delete(incidentId);
    return undefined;
  }

  // Async like the real adapter: validation errors reject rather than throw synchronously.
  private run<T>(work: () => T): Promise<T> {
    try {
      if (this.closed) throw new StoreError('STORE_FAILURE', 'in-memory state store is closed');
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// The same arithmetic, in the same order, as the Lua scripts: results agree to the last bit.
function fits(pool: Pool, need: Resources): boolean {
  return RESOURCE_KEYS.every((k) => need[k] <= 0 || pool.reserved[k] + need[k] <= pool.capacity[k] + LEDGER_EPSILON);
}

function debit(pool: Pool, amount: Resources): void {
  pool.reserved = mapResources((k) => pool.reserved[k] + amount[k]);
}

function rebook(pool: Pool, from: Resources, to: Resources): void {
  pool.reserved = mapResources((k) => Math.max(0, pool.reserved[k] + (to[k] - from[k])));
}

function growth(from: Resources, to: Resources): Resources {
  return mapResources((k) => Math.max(0, to[k] - from[k]));
}

function ledgerOf(pool: Pool): PoolLedger {
  return {
    capacity: { ...pool.capacity },
    reserved: { ...pool.reserved },
    free: mapResources((k) => Math.max(0, pool.capacity[k] - pool.reserved[k])),
  };
}

function mapResources(value: (key: (typeof RESOURCE_KEYS)[number]) => number): Resources {
  return { cpuMillis: value('cpuMillis'), memoryMiB: value('memoryMiB'), networkMbps: value('networkMbps') };
}

/** The host's next change number (see ReservationSequence). */
function nextSequence(host: Pool): number {
  host.seq = (host.seq ?? 0) + 1;
  return host.seq;
}
