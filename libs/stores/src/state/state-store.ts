import type { Resources } from '@foresight/core';
import type { RiskReadModel, ScoreEntry } from './risk-read-model.js';

export type { IncidentRisk, IncidentScores, RiskReadModel, ScoreEntry, VmRisk } from './risk-read-model.js';

/** A request to hold resources on a host for one VM and incident until leaseExpiresAt (event time, ms). */
export interface ReserveRequest {
  /** Idempotency key: a replay returns the first result and changes nothing. */
  readonly commandId: string;
  readonly hostId: string;
  readonly vmId: string;
  readonly incidentId: string;
  readonly resources: Resources;
  readonly leaseExpiresAt: number;
  /**
   * The most the VM's active reservations (every incident's) may hold in all, this one included: checked atomically
   * with the host and the budget. Undefined: no per-VM limit.
   */
  readonly vmCap?: Resources;
}

/** An active reservation: a lease until leaseExpiresAt. */
export type Reservation = ReserveRequest;

/** Why a reservation was refused (checked in this order). */
export type ReserveRejection = 'UNKNOWN_HOST' | 'INSUFFICIENT_CAPACITY' | 'BUDGET_EXCEEDED' | 'VM_CAP_EXCEEDED';

/** The outcome of reserve. */
export type ReserveResult = { readonly ok: true } | { readonly ok: false; readonly reason: ReserveRejection };

/** A reserve's result with where the reservation stands in its host's sequence, read in the same atomic step. */
export type SequencedReserveResult = ReserveResult & { readonly sequence: ReservationSequence };

/**
 * A release by commandId. hostId, incidentId and vmId, when all given, say where the reservation was made (the
 * caller's copy of its request): the store then need not read them first. They are checked against the ledger's own
 * record, so a wrong copy costs a read and never a wrong release.
 */
export interface ReleaseRequest {
  readonly commandId: string;
  readonly hostId?: string;
  readonly incidentId?: string;
  readonly vmId?: string;
}

/** A release's outcome (true when this call released it) with where the reservation stands in its host's sequence. */
export interface SequencedRelease {
  readonly released: boolean;
  readonly sequence: ReservationSequence;
}

/** Why an adjustment was refused. */
export type AdjustRejection = 'UNKNOWN_RESERVATION' | 'INSUFFICIENT_CAPACITY' | 'BUDGET_EXCEEDED' | 'VM_CAP_EXCEEDED';

/** The outcome of adjust. */
export type AdjustResult = { readonly ok: true } | { readonly ok: false; readonly reason: AdjustRejection };

/** Capacity, what reservations hold of it, and what is left (never below zero). */
export interface PoolLedger {
  readonly capacity: Resources;
  readonly reserved: Resources;
  readonly free: Resources;
}

/**
 * Where a reservation's changes stand in its host's sequence: every accepted reserve, adjust and release of a host's
 * reservations takes the host's next number (1, 2, …), atomically with the change, so the numbers are the ledger's
 * order of the host's changes. Undefined: no such change (or a reservation from before the numbers existed).
 */
export interface ReservationSequence {
  /** The number of its reserve, or of its latest adjust. */
  readonly changed?: number;
  /** The number of its release. */
  readonly released?: number;
}

/** Narrows activeReservations; every given field must match. */
export interface ReservationFilter {
  readonly incidentId?: string;
  readonly vmId?: string;
  readonly hostId?: string;
  /** Any of these VMs (an empty list matches nothing). */
  readonly vmIds?: readonly string[];
  /** Leases due by this event time (leaseExpiresAt ≤ expiringBy). */
  readonly expiringBy?: number;
}

/** Claims a key once for a while: at-most-once processing of a message or command (the same shape as @foresight/messaging's). */
export interface IdempotencyStore {
  /** True when `key` is claimed and the claim has not expired. */
  has(key: string): Promise<boolean>;
  /** True when this call claimed `key` (it was free); false when a live claim exists. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Frees `key` (after a failed attempt, so a retry may claim it). */
  release(key: string): Promise<void>;
  /** Optional: has() of several keys in one round trip, answers in the keys' order (the messaging runtime asks once per run). */
  hasMany?(keys: readonly string[]): Promise<boolean[]>;
  /** Optional: claim() of several keys in one round trip, answers in the keys' order. */
  claimMany?(keys: readonly string[], ttlMs: number): Promise<boolean[]>;
}

/** A small JSON document that must survive a restart (incident state, learner state), by kind and id. */
export interface StoredDocument {
  readonly id: string;
  readonly json: string;
}

/** A document as a value to be serialised by the store (DocumentStore.putValues). */
export interface DocumentValue {
  readonly id: string;
  readonly value: unknown;
}

/** Durable documents: each a JSON string, at most MAX_DOCUMENT_BYTES, written and read whole. */
export interface DocumentStore {
  /** Writes (replaces) one document. */
  put(kind: string, id: string, json: string): Promise<void>;
  /** Writes (replaces) several documents of one kind at once, atomically: all or none (a later id given twice wins). Every document is validated before any is written. */
  putMany(kind: string, documents: readonly StoredDocument[]): Promise<void>;
  /**
   * Optional: putMany of values the store serialises itself (JSON.stringify), atomically. JSON it wrote is valid by
   * construction, so it checks only the length (putMany must parse a caller's string to know). A value JSON cannot
   * hold (undefined, a function, a BigInt, a cycle) is INVALID_INPUT, and nothing is written.
   */
  putValues?(kind: string, documents: readonly DocumentValue[]): Promise<void>;
  get(kind: string, id: string): Promise<string | undefined>;
  /** Several documents of one kind in one read, in the order of `ids` (undefined where there is none). */
  getMany(kind: string, ids: readonly string[]): Promise<(string | undefined)[]>;
  /** Every document of a kind, by id. */
  list(kind: string): Promise<readonly StoredDocument[]>;
  /** True when this call deleted it. */
  delete(kind: string, id: string): Promise<boolean>;
}

/** The write side of the hot scores (the propagation scorer's); RiskReadModel is their read side. */
export interface HotScores {
  /**
   * Replaces an incident's scores when `version` is newer than the stored one; false (no change) otherwise. Scores
   * vanish after ttlMs; a version with no entries (a closed incident) retracts them. Read through RiskReadModel.
   */
  putIncidentScores(incidentId: string, version: number, entries: readonly ScoreEntry[], ttlMs: number): Promise<boolean>;
}

/**
 * The resource-pool ledger with leases (the allocator's). Every mutation is atomic: two allocators on two processes can
 * never over-commit a host or the proactive budget. Lease logic never reads the wall clock: time comes in as arguments.
 */
export interface LeaseLedger {
  /** Sets what Foresight may hold on a host (a host must have a capacity before reserve accepts it). */
  setHostCapacity(hostId: string, capacity: Resources): Promise<void>;
  /** Sets the cluster-wide proactive budget (zero until set: reserve fails closed). */
  setBudget(budget: Resources): Promise<void>;
  /** Atomically holds resources on a host if the host and the budget both have room; idempotent on commandId. */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /**
   * Several reserves, in order, with exactly the results and effects of calling reserve on each in turn (a later
   * request sees what an earlier one took; a commandId given twice replays). Every request is validated before any is
   * applied. Atomic per chunk of up to 256 on Redis, not as a whole; a retried call is safe (replays by commandId).
   */
  reserveMany(requests: readonly ReserveRequest[]): Promise<ReserveResult[]>;
  /**
   * reserveMany with each result's host sequence (as hostSequences would read it right after), from the same atomic
   * step: one call instead of two.
   */
  reserveManySequenced(requests: readonly ReserveRequest[]): Promise<SequencedReserveResult[]>;
  /** Returns a reservation's resources; true when this call released it (idempotent). */
  release(commandId: string): Promise<boolean>;
  /** Several releases at once, each as release(); per commandId, true when this call released it. */
  releaseMany(commandIds: readonly string[]): Promise<boolean[]>;
  /** releaseMany with each reservation's host sequence after the release (as hostSequences would read it), from the same atomic step. */
  releaseManySequenced(requests: readonly ReleaseRequest[]): Promise<SequencedRelease[]>;
  /**
   * releaseManySequenced and then reserveManySequenced, with exactly their results and effects (every release before
   * every reserve, each in order); on Redis one atomic step when every release names its keys and they are at most 256
   * in all. Every request is validated before any is applied.
   */
  releaseAndReserve(releases: readonly ReleaseRequest[], reserves: readonly ReserveRequest[]): Promise<{ released: SequencedRelease[]; reserved: SequencedReserveResult[] }>;
  /**
   * Atomically changes an active reservation to `resources` (growth must fit the host, the budget and, when given,
   * `vmCap` for what the VM's reservations hold in all; shrinking always does), optionally moving its lease expiry.
   */
  adjust(commandId: string, resources: Resources, leaseExpiresAt?: number, vmCap?: Resources): Promise<AdjustResult>;
  /** Releases every reservation whose lease expired at `now` (leaseExpiresAt ≤ now); the commandIds this call released, sorted. */
  expireLeases(now: number): Promise<readonly string[]>;
  /** Active reservations matching the filter, by commandId. */
  activeReservations(filter?: ReservationFilter): Promise<readonly Reservation[]>;
  /** How many reservations are active (without reading them). */
  countActiveReservations(): Promise<number>;
  /** Where each reservation's changes stand in its host's sequence (any state; a commandId never reserved: {}), in the order given; one read. */
  hostSequences(commandIds: readonly string[]): Promise<ReservationSequence[]>;
  /** A host's ledger, or undefined when it has no capacity set. */
  hostLedger(hostId: string): Promise<PoolLedger | undefined>;
  /** Several hosts' ledgers in one read (undefined for a host without capacity), in the order given. */
  hostLedgers(hostIds: readonly string[]): Promise<(PoolLedger | undefined)[]>;
  /** The proactive budget's ledger. */
  budget(): Promise<PoolLedger>;
}

/** Counted windows (the allocator's grant rate limit). */
export interface QuotaWindows {
  /**
   * Takes up to `count` units of a counted window (`key`, at most `limit` units in all, the window's key lives `ttlMs`
   * from its first take): atomically, so concurrent takers never exceed the limit. Returns how many were taken.
   */
  takeQuota(key: string, count: number, limit: number, ttlMs: number): Promise<number>;
  /** How many units of each counted window are taken (0 for a window never taken or gone), in the order of `keys`; one read. */
  quotasUsed(keys: readonly string[]): Promise<number[]>;
}

/** Durable documents, on the store's connection and key prefix (no TTL). */
export interface HasDocuments {
  readonly documents: DocumentStore;
}

/** Idempotency keys and short claims, on the store's connection and key prefix. */
export interface HasIdempotency {
  readonly idempotency: IdempotencyStore;
}

/**
 * Every port of the shared state on one connection: what an adapter implements and a composition root opens, starts
 * and closes. Consumers take the narrow ports (HotScores, RiskReadModel, LeaseLedger, QuotaWindows, DocumentStore,
 * IdempotencyStore), never this.
 */
export interface StateStore extends HotScores, RiskReadModel, LeaseLedger, QuotaWindows, HasDocuments, HasIdempotency {
  /** Connects (and loads scripts); idempotent. */
  init(): Promise<void>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
