export { StoreError, isStoreError, type StoreErrorCode } from './store-error.js';
export { MAX_DOCUMENT_LENGTH } from './store-input.js';
export type {
  GraphStore, HostRecord, PathwayRef, StoredTopology, IncidentRecord, VulnerabilityCount,
} from './graph/graph-store.js';
export { InMemoryGraphStore } from './graph/in-memory-graph-store.js';
export { Neo4jGraphStore, type Neo4jGraphStoreConfig } from './graph/neo4j-graph-store.js';
export type {
  StateStore, HotScores, LeaseLedger, QuotaWindows, HasDocuments, HasIdempotency, IdempotencyStore, DocumentStore, StoredDocument, DocumentValue, ReserveRequest, Reservation, ReserveRejection, ReserveResult,
  AdjustRejection, AdjustResult, PoolLedger, ReservationFilter, ReservationSequence, SequencedReserveResult, ReleaseRequest, SequencedRelease,
} from './state/state-store.js';
export type { RiskReadModel, ScoreEntry, IncidentScores, IncidentRisk, VmRisk } from './state/risk-read-model.js';
export { RedisRiskReadModel } from './state/redis-risk-read-model.js';
export { InMemoryStateStore, type InMemoryStateStoreOptions } from './state/in-memory-state-store.js';
export { RedisStateStore, type RedisStateStoreConfig } from './state/redis-state-store.js';
